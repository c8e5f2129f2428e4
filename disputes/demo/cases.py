"""The demo disputes: about sixty cases typical of Dadukou and how far each one's story goes.

Data only; disputes/demo/stories.py plays them through the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from disputes.choices import (
    Complexity,
    FailureGuidance,
    PartyKind,
    PartyRole,
    Performance,
    RiskFlag,
    Satisfaction,
    Source,
)

C1, C2, C3 = "500104001901", "500104001902", "500104001903"  # 新山村街道's demo communities
STREET = "500104001"

# The stages a story can reach, in order.
STAGES = [
    "registered",
    "assessed",
    "assigned",
    "accepted",
    "notified",
    "session",
    "concluded",
    "fed_back",
    "archived",
]


@dataclass
class Case:
    """One demo dispute and how far its story goes (`stage`); `more` holds the turns it takes on the way."""

    key: str
    stage: str
    category: str
    region: str
    by: str
    source: str
    title: str
    description: str
    address: str
    parties: list[tuple]
    days: int
    people: int = 2
    amount: str = "0"
    flags: tuple = ()
    complexity: str = Complexity.GENERAL
    to: str = ""
    co: tuple = ()
    more: dict = field(default_factory=dict)


# Short builders, so the case table below reads like a register: A(pplicant), R(espondent), ORG(anization).
def A(name, *extra):
    return (name, PartyRole.APPLICANT, PartyKind.PERSON, *extra)


def R(name, *extra):
    return (name, PartyRole.RESPONDENT, PartyKind.PERSON, *extra)


def ORG(name, role=PartyRole.RESPONDENT):
    return (name, role, PartyKind.ORGANIZATION)


WAGES_TERMS = "被申请人于协议签订之日起十五日内一次性支付申请人工资{amount}元，申请人不再就此事提出其他请求。"

# fmt: off
CASES = [
    # --- 新山村演示一社区: reported by the grid worker or walk-ins, mediated by 李调解 --------------------------
    Case(
        "demo-001", "archived", "neighbourhood", f"{C1}-001", "grid_worker", Source.GRID_PATROL,
        "楼上楼下噪音纠纷",
        "网格员走访发现，7栋3单元402住户反映楼上502住户夜间经常拖动桌椅、小孩跑跳，影响老人休息，双方多次争吵。",
        "新山村街道演示一社区7栋3单元", [A("陈桂兰", "elderly"), R("吴志强")], 50,
        complexity=Complexity.SIMPLE,
        more={"outcome": "oral", "terms": "502住户在桌椅脚加装静音垫，晚十点后避免大声活动；402住户有意见先电话沟通。"},
    ),
    Case(
        "demo-002", "archived", "property_management", C1, "mediator", Source.APPLICATION,
        "物业费拖欠及电梯维修纠纷",
        "业主以电梯长期故障、维修不及时为由拒交两年物业费，物业公司催缴未果，双方矛盾升级。",
        "新山村街道演示一社区钢花苑小区", [ORG("重庆某物业服务有限公司", PartyRole.APPLICANT), R("黄德明")], 60,
        people=3, amount="4680",
        more={
            "terms": "物业公司于一个月内完成电梯大修并公示维修记录；业主分两期补交物业费4680元。",
            "amount": "4680", "confirmation": "confirmed",
        },
    ),
    Case(
        "demo-003", "archived", "marriage_family", C1, "mediator", Source.APPLICATION,
        "赡养老人纠纷",
        "八旬老人有三名子女，因老人住院费用分担和轮流照料问题，兄妹三人发生争执，老人情绪低落。",
        "新山村街道演示一社区义渡路18号", [A("刘桂珍", "elderly"), R("刘建国"), R("刘秀英")], 45,
        people=4, amount="36000", complexity=Complexity.COMPLEX,
        more={
            "terms": "三子女按月各支付赡养费800元，住院自付费用三人平均分担，按月轮流照料老人。",
            "amount": "36000", "sessions": 2,
        },
    ),
    Case(
        "demo-004", "archived", "damages", f"{C1}-002", "dispatcher", Source.POLICE,
        "宠物犬咬伤赔偿纠纷",
        "派出所移交：居民遛狗未拴绳，犬只咬伤邻居小腿，伤者要求赔偿医药费、误工费，犬主认为金额过高。",
        "新山村街道演示一社区钢城大道旁", [A("杨丽"), R("郭海波")], 40,
        amount="5200", complexity=Complexity.SIMPLE,
        more={"outcome": "oral", "terms": "犬主当场支付医药费、误工费共计3800元，今后遛狗一律拴绳。", "amount": "3800"},
    ),
    Case(
        "demo-005", "archived", "traffic", C1, "mediator", Source.APPLICATION,
        "电动自行车与行人碰撞赔偿纠纷",
        "电动自行车在小区路口与一名行人相撞，行人左腕骨折，双方对责任比例和后续治疗费用有分歧。",
        "新山村街道演示一社区春晖路口", [A("何秀芳"), R("马俊")], 55,
        amount="23000",
        more={
            "terms": "电动车驾驶人承担80%责任，赔偿医疗费、护理费、误工费共计18400元，分两次付清。",
            "amount": "18400", "notarized": True,
        },
    ),
    Case(
        "demo-006", "archived", "contract", C1, "mediator", Source.APPLICATION,
        "房屋装修合同纠纷",
        "业主称装修公司延期两个月交房且墙面空鼓，要求退还部分工程款；装修公司称系业主中途变更设计。",
        "新山村街道演示一社区翠园路6号", [A("罗志强"), ORG("重庆某装饰工程有限公司")], 35,
        amount="42000",
        more={"outcome": FailureGuidance.LITIGATION, "note": "双方分歧较大，需司法鉴定，引导向人民法院起诉。"},
    ),
    Case(
        "demo-007", "archived", "housing_land", C1, "mediator", Source.COMMITTEE_PATROL,
        "卫生间漏水致楼下受损纠纷",
        "楼上卫生间防水层老化漏水，楼下天花板发霉脱落，楼下要求赔偿并修复，楼上同意修复但不同意赔偿。",
        "新山村街道演示一社区新工街12号", [A("梁红"), R("唐文")], 30,
        amount="3000", complexity=Complexity.SIMPLE,
        more={"terms": "楼上住户一周内重做防水，并补偿楼下天花板修复费用2000元。", "amount": "2000"},
    ),
    Case(
        "demo-008", "archived", "neighbourhood", C1, "mediator", Source.APPLICATION,
        "公共通道堆放杂物纠纷",
        "两户共用楼道，一户长期堆放废品杂物，另一户认为存在消防隐患且影响通行，双方发生推搡。",
        "新山村街道演示一社区钢花苑3栋", [A("谢德明"), R("宋桂兰", "elderly")], 36,
        complexity=Complexity.SIMPLE,
        more={
            "outcome": "oral", "terms": "堆放方三日内清理楼道杂物，今后不在公共区域堆放。",
            "reopen": "回访后一方再次堆放杂物，申请人再次申请调解。",
        },
    ),
    Case(
        "demo-009", "fed_back", "consumer", C1, "mediator", Source.APPLICATION,
        "装修建材质量纠纷",
        "居民在建材店购买的木地板铺装一个月后大面积起拱，商家称系铺装不当，拒绝退换。",
        "新山村街道演示一社区建材市场", [A("韩秀英"), ORG("大渡口区某建材经营部")], 12,
        amount="8600",
        more={"terms": "商家免费更换起拱部分地板并承担铺装费用，双方各承担检测费一半。", "amount": "8600"},
    ),
    Case(
        "demo-010", "fed_back", "neighbourhood", f"{C1}-001", "grid_worker", Source.GRID_PATROL,
        "空调外机滴水纠纷",
        "网格员巡查发现，二楼住户空调外机冷凝水长期滴落在一楼住户晾晒区，双方多次口角。",
        "新山村街道演示一社区5栋", [A("冯秀兰"), R("邓志明")], 10,
        complexity=Complexity.SIMPLE,
        more={"outcome": "oral", "terms": "二楼住户加装冷凝水导管接入排水管。"},
    ),
    Case(
        "demo-011", "concluded", "marriage_family", C1, "mediator", Source.APPLICATION,
        "离婚后子女抚养费纠纷",
        "双方离婚后，孩子随母亲生活，父亲近半年未按约支付抚养费，母亲多次催要无果。",
        "新山村街道演示一社区育才路", [A("曹丽"), R("彭伟"), ("彭小雨", PartyRole.THIRD_PARTY, PartyKind.PERSON, "minor")], 9,
        amount="9000",
        more={
            "terms": "父亲于本月底前补付拖欠抚养费9000元，今后每月10日前支付1500元。",
            "amount": "9000", "confirmation": "applied",
        },
    ),
    Case(
        "demo-012", "concluded", "damages", C1, "mediator", Source.APPLICATION,
        "高空抛物砸坏车辆纠纷",
        "小区停放车辆被高空坠落的花盆砸坏前挡风玻璃，经查看监控确认系某住户阳台花盆被风吹落。",
        "新山村街道演示一社区钢花苑停车场", [A("肖勇"), R("田秀珍")], 6,
        amount="2600", complexity=Complexity.SIMPLE,
        more={"outcome": "oral", "terms": "花盆所有人赔偿车辆维修费2600元，并移除阳台外沿花盆。", "amount": "2600"},
    ),
    Case(
        "demo-013", "concluded", "housing_land", C1, "mediator", Source.APPLICATION,
        "二手房买卖过户纠纷",
        "买方已付清房款，卖方以房价上涨为由拖延办理过户，买方要求履行合同并赔偿损失。",
        "新山村街道演示一社区松青路", [A("董建华"), R("潘明")], 14,
        amount="580000", complexity=Complexity.COMPLEX,
        more={"outcome": FailureGuidance.LITIGATION, "note": "卖方坚持解除合同，已告知买方可向人民法院起诉。"},
    ),
    Case(
        "demo-014", "session", "property_management", C1, "mediator", Source.APPLICATION,
        "小区停车位使用纠纷",
        "多名业主反映地面公共停车位被少数业主长期占用并加装地锁，与物业多次交涉未果。",
        "新山村街道演示一社区钢花苑小区", [A("袁志强"), A("蔡秀兰"), ORG("重庆某物业服务有限公司")], 20,
        people=8,
        more={"supervise": ("已超过办理时限，请于3个工作日内书面报告调解进展。", None)},
    ),
    Case(
        "demo-015", "session", "neighbourhood", C1, "mediator", Source.COMMITTEE_PATROL,
        "宅旁空地种菜纠纷",
        "小区绿化带被部分老年住户开垦种菜并浇灌粪水，其他住户投诉气味难闻、破坏绿化。",
        "新山村街道演示一社区老钢厂宿舍", [A("蒋德明"), R("余桂珍", "elderly")], 16,
        people=6,
        more={
            "supervise": ("请加快化解，注意方式方法，避免激化矛盾。", "已召集双方协商一次，拟协调社区提供集中种植点，本周内再次调解。"),
        },
    ),
    Case(
        "demo-016", "session", "damages", C1, "mediator", Source.APPLICATION,
        "装修施工致楼下墙面开裂纠纷",
        "楼上住户装修拆除墙体后，楼下住户客厅墙面出现多条裂缝，楼下要求鉴定并赔偿。",
        "新山村街道演示一社区大渡口公园旁", [A("杜文"), R("叶海")], 25,
        amount="30000", complexity=Complexity.COMPLEX,
        more={"extend": "需委托第三方机构进行房屋安全鉴定，双方同意延长调解期限。"},
    ),
    Case(
        "demo-017", "accepted", "marriage_family", C1, "mediator", Source.APPLICATION,
        "婚约彩礼返还纠纷",
        "男女双方订婚后解除婚约，男方要求返还彩礼8.8万元，女方认为男方有过错只同意返还一半。",
        "新山村街道演示一社区", [A("程志明"), R("魏丽")], 3,
        amount="88000",
    ),
    Case(
        "demo-018", "notified", "neighbourhood", C1, "mediator", Source.APPLICATION,
        "养犬扰民纠纷",
        "住户饲养大型犬，夜间吠叫严重，邻居多次投诉，养犬人称已尽力管理。",
        "新山村街道演示一社区8栋", [A("苏秀英"), R("吕强")], 2,
        complexity=Complexity.SIMPLE,
    ),
    Case(
        "demo-019", "fed_back", "property_management", C1, "mediator", Source.APPLICATION,
        "物业服务质量纠纷",
        "业主反映小区保洁、安保不到位，单元门禁损坏数月未修，拒交物业费，物业公司要求补交。",
        "新山村街道演示一社区钢花苑", [A("丁建国"), ORG("重庆某物业服务有限公司")], 30,
        amount="2400",
        more={
            "terms": "物业公司一周内修复门禁并增加保洁频次，业主补交物业费2400元。",
            "amount": "2400",
            "remediate": (Satisfaction.UNSATISFIED, "", "回访时业主称门禁仍未修复，对调解结果不满意，重新调解。"),
        },
    ),
    Case(
        "demo-020", "fed_back", "contract", C1, "mediator", Source.APPLICATION,
        "民间借贷纠纷",
        "邻居之间借款5万元，约定一年归还，逾期半年未还，出借人多次催收未果。",
        "新山村街道演示一社区", [A("任志刚"), R("沈伟")], 40,
        amount="50000",
        more={
            "terms": "借款人分五个月归还借款5万元，每月15日前还款1万元。",
            "amount": "50000",
            "remediate": (Satisfaction.BASICALLY, Performance.UNPERFORMED, "回访时借款人仅归还第一期，后续未履行，督促履行并再次调解。"),
        },
    ),
    Case(
        "demo-021", "assigned", "neighbourhood", C1, "mediator", Source.APPLICATION,
        "楼道堆物及电动车充电纠纷",
        "住户在楼道内为电动车飞线充电，邻居担心火灾隐患，双方发生争执。",
        "新山村街道演示一社区9栋", [A("姚丽"), R("卢俊")], 1,
        complexity=Complexity.SIMPLE,
    ),
    Case(
        "demo-022", "assigned", "contract", C1, "mediator", Source.APPLICATION,
        "家政服务费纠纷",
        "雇主认为保姆照护老人不尽责，扣发半个月服务费，保姆要求全额支付。",
        "新山村街道演示一社区", [A("傅秀兰"), R("钟明")], 4,
        amount="2500", complexity=Complexity.SIMPLE,
        more={"reassigned": ("rsj", "经核实双方系家政服务关系而非劳动关系，改由社区调委会调解。")},
    ),
    Case(
        "demo-023", "assessed", "other", C1, "dispatcher", Source.HOTLINE_12345,
        "广场舞噪音扰民纠纷",
        "12345转办：多名居民反映社区广场每晚广场舞音响音量过大，持续到晚上十点以后。",
        "新山村街道演示一社区文化广场", [A("姜德明"), R("崔秀英")], 1,
        people=15,
    ),
    Case(
        "demo-024", "registered", "city_management", f"{C1}-001", "grid_worker", Source.GRID_PATROL,
        "商铺占道经营纠纷",
        "网格员巡查发现，临街商铺占用人行道摆放货物，与相邻商户发生口角。",
        "新山村街道演示一社区钢城大道", [A("谭志强"), R("廖红")], 0,
        complexity=Complexity.SIMPLE,
    ),
    Case(
        "demo-025", "registered", "construction", f"{C1}-002", "dispatcher", Source.GRID_PATROL,
        "工地夜间施工噪音扰民",
        "网格员上报：小区旁在建工地连续多日夜间施工，附近居民无法休息，情绪较大。",
        "新山村街道演示一社区旁在建工地", [A("范文"), ORG("重庆某建设工程有限公司")], 1,
        people=6,
    ),
    Case(
        "demo-026", "registered", "construction", f"{C1}-002", "dispatcher", Source.HOTLINE_12345,
        "市民来电反映工地夜间施工",
        "12345转办：市民来电反映小区旁工地夜间施工噪音大。",
        "新山村街道演示一社区旁工地", [A("范文"), ORG("重庆某建设工程有限公司")], 1,
        more={"merge_into": ("demo-025", "与网格员上报的同一纠纷，合并办理。")},
    ),
    Case(
        "demo-027", "registered", "neighbourhood", C1, "dispatcher", Source.HOTLINE_12345,
        "邻里纠纷（误录）",
        "12345转办：邻里纠纷。",
        "新山村街道演示一社区", [A("汪德明"), R("陆秀芳")], 8,
        more={"void": "误录：当事人身份信息录入错误，已重新登记。"},
    ),
    Case(
        "demo-028", "assessed", "pollution", C1, "dispatcher", Source.HOTLINE_12345,
        "相邻厂房排水污染纠纷",
        "居民反映相邻小型加工厂雨天排放污水流入小区，与厂方交涉未果。",
        "新山村街道演示一社区工业路", [A("金志明"), ORG("重庆某机械加工厂")], 5,
        people=4,
        more={"report_up": "涉及辖区企业和生态环境部门，社区协调不了，报街道统筹。"},
    ),
    # --- labour disputes: assigned to 区人力社保局, handled by 赵联络 ---------------------------------------
    Case(
        "demo-029", "archived", "labour", C2, "dispatcher", Source.HOTLINE_12345,
        "解除劳动合同经济补偿纠纷",
        "职工在某商贸公司工作五年，公司以经营困难为由解除劳动合同，未支付经济补偿金。",
        "新山村街道演示二社区", [A("石建国"), ORG("重庆某商贸有限公司")], 58,
        amount="32500", to="rsj",
        more={
            "terms": "公司于十五日内支付经济补偿金30000元，双方劳动关系解除，再无其他争议。",
            "amount": "30000", "confirmation": "confirmed",
        },
    ),
    Case(
        "demo-030", "fed_back", "labour", C3, "dispatcher", Source.HOTLINE_12345,
        "加班费争议",
        "餐饮企业员工称近一年每周工作六天，要求支付加班费，企业称已包含在月薪中。",
        "新山村街道演示三社区", [A("戴秀英"), ORG("大渡口区某餐饮店")], 15,
        amount="12800", to="rsj",
        more={"terms": "企业一次性补发加班费8000元，今后严格执行考勤和加班制度。", "amount": "8000"},
    ),
    Case(
        "demo-031", "session", "labour", C2, "dispatcher", Source.HOTLINE_12345,
        "工伤待遇纠纷",
        "职工在车间作业时手指受伤，已认定工伤，双方对停工留薪期工资和一次性伤残补助金有争议。",
        "新山村街道演示二社区", [A("贾志强"), ORG("重庆某机械加工厂")], 10,
        amount="46000", to="rsj", complexity=Complexity.COMPLEX,
    ),
    Case(
        "demo-032", "assigned", "labour", C3, "dispatcher", Source.HOTLINE_12345,
        "试用期工资纠纷",
        "员工试用期内离职，公司以未满试用期为由拒绝支付最后半个月工资。",
        "新山村街道演示三社区", [A("夏丽"), ORG("重庆某物流有限公司")], 0,
        amount="2300", to="rsj", complexity=Complexity.SIMPLE,
    ),
    Case(
        "demo-033", "assigned", "labour", C2, "dispatcher", Source.PETITION,
        "未签劳动合同二倍工资纠纷",
        "信访转办：员工入职十个月，公司一直未签订书面劳动合同，员工要求支付二倍工资差额。",
        "新山村街道演示二社区", [A("邱建华"), ORG("重庆某保洁服务有限公司")], 6,
        amount="27000", to="rsj",
    ),
    Case(
        "demo-034", "assessed", "labour", C3, "dispatcher", Source.HOTLINE_12345,
        "个人之间劳务报酬纠纷",
        "居民请邻居帮忙装修，约定按天计酬，完工后双方对工时和工钱数额有争议。",
        "新山村街道演示三社区", [A("侯勇"), R("邹明")], 3,
        amount="6000", to="rsj",
        more={"returned": "经核实双方系个人之间的劳务关系，不属于劳动争议，请转社区调委会调解。"},
    ),
    Case(
        "demo-035", "archived", "labour", C1, "mediator", Source.APPLICATION,
        "社保补缴纠纷",
        "职工发现公司三年来未足额缴纳社会保险，要求补缴并赔偿损失，公司只同意补缴一年。",
        "新山村街道演示一社区", [A("熊志明"), ORG("重庆某汽车维修有限公司")], 33,
        amount="21000", to="rsj",
        more={"outcome": FailureGuidance.ADMINISTRATIVE, "note": "已引导向社会保险费征收机构投诉，依法责令补缴。"},
    ),
    Case(
        "demo-057", "accepted", "labour", C1, "mediator", Source.APPLICATION,
        "拖欠绩效工资纠纷",
        "销售人员离职后，公司以未完成考核为由拒发最后两个月绩效工资。",
        "新山村街道演示一社区", [A("孟丽"), ORG("重庆某科技有限公司")], 4,
        amount="9600", to="rsj",
    ),
    # --- unpaid migrant wages: cross-unit, controlled by the district platform ------------------------------
    Case(
        "demo-036", "archived", "migrant_wages", C3, "dispatcher", Source.PETITION,
        "拖欠农民工工资纠纷",
        "某住宅项目23名农民工反映劳务分包方拖欠工资36.8万元，部分工人扬言到区政府集体讨薪。",
        "新山村街道演示三社区在建项目", [A("秦建国"), A("白志强"), ORG("重庆某建筑劳务有限公司")], 52,
        people=23, amount="368000", to="rsj", co=("zjw",), complexity=Complexity.COMPLEX,
        more={
            "terms": WAGES_TERMS.format(amount="368000"), "amount": "368000",
            "preventions": ["mass_petition"], "sessions": 2,
        },
    ),
    Case(
        "demo-037", "session", "migrant_wages", "500104002901", "api_client", Source.API,
        "装修工程农民工讨薪纠纷",
        "市级平台推送：某装修工程12名工人反映包工头拖欠工资，包工头称总包方未付工程款。",
        "跃进村街道演示一社区某商业综合体", [A("江海"), ORG("重庆某装饰工程有限公司")], 18,
        people=12, amount="156000", to="rsj", co=("zjw",),
        more={
            "guide": "请人社、住建部门联合约谈总包方，核实工程款支付情况，先行保障工人工资。",
            "supervise": ("请于3个工作日内报告工资支付进展。", "已约谈总包方，承诺本月20日前支付工人工资。"),
        },
    ),
    Case(
        "demo-038", "assigned", "migrant_wages", "500104103901", "api_client", Source.API,
        "厂房建设项目欠薪纠纷",
        "市级平台推送：跳磴镇某厂房建设项目8名工人反映工资未结清。",
        "跳磴镇演示一社区工业园", [A("薛明"), ORG("重庆某钢结构工程有限公司")], 2,
        people=8, amount="64000", to="rsj", co=("zjw",),
    ),
    # --- red disputes: the district platform, with the leader in charge -------------------------------------
    Case(
        "demo-039", "archived", "marriage_family", C1, "mediator", Source.APPLICATION,
        "夫妻矛盾激化一方扬言轻生",
        "妻子因丈夫赌博欠债情绪崩溃，扬言轻生，社区紧急介入，联合心理咨询师疏导。",
        "新山村街道演示一社区", [A("尹秀芳"), R("段勇")], 38,
        flags=(RiskFlag.EXTREME_ACT,), complexity=Complexity.COMPLEX,
        more={
            "terms": "丈夫书面承诺戒赌，家庭财产由妻子管理，社区和心理咨询师每月回访。",
            "preventions": ["suicide"], "sessions": 3,
        },
    ),
    Case(
        "demo-040", "assigned", "expropriation", "500104103903", "api_client", Source.API,
        "征地拆迁补偿纠纷",
        "市级平台推送：跳磴镇某村60余户村民对征地补偿标准有异议，聚集到村委会要求提高补偿。",
        "跳磴镇演示三村", [A("雷德明"), A("黎秀兰"), ORG("跳磴镇某村股份经济合作社")], 3,
        people=60, amount="12000000", flags=(RiskFlag.MASS_INCIDENT,), to="ghzy", co=("gov-500104103",),
        complexity=Complexity.COMPLEX,
        more={"supervise": ("红色纠纷，请包案领导牵头，24小时内制定化解方案。", None)},
    ),
    Case(
        "demo-041", "assessed", "neighbourhood", "500104004901", "api_client", Source.API,
        "邻里冲突可能激化纠纷",
        "市级平台推送：茄子溪街道两户邻居因宅基地边界多次发生肢体冲突，一方扬言报复。",
        "茄子溪街道演示一社区", [A("史海"), R("龙强")], 0,
        flags=(RiskFlag.CIVIL_TO_CRIMINAL,),
    ),
    Case(
        "demo-042", "assessed", "construction", C2, "dispatcher", Source.PETITION,
        "商品房质量群体纠纷",
        "某楼盘30余户业主反映房屋渗水、墙体开裂，与开发商多次协商无果，业主拉横幅维权。",
        "新山村街道演示二社区某楼盘", [A("陶志明"), A("贺丽"), ORG("重庆某房地产开发有限公司")], 7,
        people=32, amount="1500000", complexity=Complexity.COMPLEX,
        more={"report_up": "涉及开发商和区住建委，街道难以协调，报区级平台统筹。"},
    ),
    Case(
        "demo-043", "fed_back", "property_management", C1, "dispatcher", Source.HOTLINE_12345,
        "小区公共收益分配纠纷",
        "40余户业主要求物业公司公开电梯广告、停车等公共收益并用于小区维修，物业公司拒绝公开。",
        "新山村街道演示一社区钢花苑小区", [A("顾德明"), A("毛秀英"), ORG("重庆某物业服务有限公司")], 28,
        people=40, amount="180000", complexity=Complexity.COMPLEX,
        more={
            "terms": "物业公司按季度公示公共收益，2026年度收益18万元全部用于小区外墙和电梯维修。",
            "amount": "180000", "sessions": 2,
        },
    ),
    # --- other streets and towns: sent by the municipal platform --------------------------------------------
    Case(
        "demo-044", "registered", "consumer", "500104002902", "api_client", Source.API,
        "健身房预付卡退费纠纷",
        "市级平台推送：健身房突然停业，多名会员预付卡余额无法退还。",
        "跃进村街道演示二社区某健身房", [A("郝丽"), ORG("重庆某健身服务有限公司")], 1,
        people=9, amount="52000",
    ),
    Case(
        "demo-045", "registered", "medical", "500104005901", "api_client", Source.API,
        "诊所输液不良反应纠纷",
        "市级平台推送：患者在社区诊所输液后出现过敏反应住院，家属要求诊所赔偿。",
        "春晖路街道演示一社区", [A("龚强"), ORG("大渡口区某诊所")], 0,
        amount="15000",
    ),
    Case(
        "demo-046", "registered", "forest_land", "500104101901", "api_client", Source.API,
        "林地边界纠纷",
        "市级平台推送：八桥镇两户村民因承包林地边界不清，砍伐树木时发生争执。",
        "八桥镇演示一社区", [A("邵建国"), R("万志强")], 2,
    ),
    Case(
        "demo-047", "assessed", "pollution", "500104102902", "api_client", Source.API,
        "餐馆油烟扰民纠纷",
        "市级平台推送：建胜镇某餐馆油烟直排，楼上住户无法开窗，多次投诉。",
        "建胜镇演示二社区", [A("严秀英"), ORG("大渡口区某火锅店")], 4,
        complexity=Complexity.SIMPLE,
    ),
    Case(
        "demo-048", "assigned", "traffic", "500104003901", "api_client", Source.API,
        "交通事故赔偿纠纷",
        "市级平台推送：两车追尾，后车全责，双方对车辆贬值损失和误工费赔偿有争议。",
        "九宫庙街道演示一社区", [A("覃勇"), R("向明")], 9,
        amount="18000", to="gaj",
    ),
    Case(
        "demo-049", "assigned", "tourism", "500104004902", "api_client", Source.API,
        "旅行团退费纠纷",
        "市级平台推送：游客因行程变更要求旅行社退还团费，旅行社只同意退一半。",
        "茄子溪街道演示二社区", [A("汤丽"), ORG("重庆某旅行社有限公司")], 5,
        amount="7600", to="wlw",
    ),
    Case(
        "demo-050", "registered", "consumer", "500104005903", "api_client", Source.API,
        "预付卡退费（重复推送）",
        "市级平台重复推送的测试记录。",
        "春晖路街道演示三社区", [A("郝丽"), ORG("重庆某健身服务有限公司")], 6,
        more={"void": "市级平台重复推送的测试数据，作废。"},
    ),
    Case(
        "demo-051", "registered", "consumer", "500104002902", "api_client", Source.API,
        "健身房停业会员退费",
        "市级平台推送：会员反映健身房停业，要求退还预付费用。",
        "跃进村街道演示二社区某健身房", [A("郝丽"), ORG("重庆某健身服务有限公司")], 1,
        more={"merge_into": ("demo-044", "同一健身房停业退费纠纷，合并办理。")},
    ),
    # --- more of 新山村演示一社区's everyday work ---------------------------------------------------------
    Case(
        "demo-052", "archived", "internet", C1, "mediator", Source.APPLICATION,
        "网络直播购物退货纠纷",
        "居民通过直播间购买的保健品与宣传不符，要求退货退款，主播所在商家拒绝。",
        "新山村街道演示一社区", [A("杨桂珍", "elderly"), ORG("重庆某电子商务有限公司")], 44,
        amount="3980",
        more={"outcome": "oral", "terms": "商家全额退款3980元，消费者退回未开封商品。", "amount": "3980"},
    ),
    Case(
        "demo-053", "archived", "city_management", f"{C1}-001", "grid_worker", Source.GRID_PATROL,
        "流动摊贩与商户纠纷",
        "网格员巡查发现，流动摊贩在商铺门口摆摊，与店主发生争吵。",
        "新山村街道演示一社区钢城大道", [A("周明"), R("吴强")], 26,
        complexity=Complexity.SIMPLE,
        more={"outcome": "oral", "terms": "摊贩到社区指定便民摊区经营，不再在商铺门口摆摊。"},
    ),
    Case(
        "demo-054", "archived", "contract", C1, "mediator", Source.APPLICATION,
        "商铺租赁押金退还纠纷",
        "租户提前两个月退租，房东以违约为由扣留全部押金，租户要求退还。",
        "新山村街道演示一社区商业街", [A("郑秀兰"), R("王建华")], 65,
        amount="12000",
        more={
            "terms": "房东扣除一个月租金作为违约金后，退还押金6000元。",
            "amount": "6000", "performance": Performance.PERFORMED,
        },
    ),
    Case(
        "demo-055", "concluded", "medical", C1, "mediator", Source.APPLICATION,
        "口腔诊所治疗费用纠纷",
        "患者种植牙后反复疼痛，要求诊所退还部分费用并承担后续治疗，诊所称属正常反应。",
        "新山村街道演示一社区", [A("林海"), ORG("大渡口区某口腔诊所")], 8,
        amount="16000",
        more={
            "terms": "诊所退还治疗费4000元，并免费提供后续复查和必要的修复治疗。",
            "amount": "4000", "confirmation": "confirmed",
        },
    ),
    Case(
        "demo-056", "session", "neighbourhood", C1, "mediator", Source.APPLICATION,
        "树木遮挡采光纠纷",
        "一楼住户在院内种植的香樟树长高后遮挡二、三楼采光，楼上住户要求修剪，一楼住户不同意。",
        "新山村街道演示一社区老钢厂宿舍", [A("高秀英"), R("胡建国")], 22,
        people=3,
    ),
    Case(
        "demo-058", "concluded", "city_management", C1, "mediator", Source.APPLICATION,
        "违章搭建遮挡通道纠纷",
        "一楼住户在公共通道搭建雨棚，邻居认为影响通行和消防，要求拆除。",
        "新山村街道演示一社区", [A("朱志明"), R("何勇")], 11,
        more={"outcome": FailureGuidance.ADMINISTRATIVE, "note": "搭建方拒不拆除，已移交城市管理部门依法处理。"},
    ),
    Case(
        "demo-059", "fed_back", "marriage_family", C1, "mediator", Source.APPLICATION,
        "遗产继承纠纷",
        "老人去世后留下一套住房，子女对遗嘱效力有争议，无法达成分割意见。",
        "新山村街道演示一社区", [A("徐丽"), R("徐建国"), R("徐志强")], 19,
        people=3, amount="450000", complexity=Complexity.COMPLEX,
        more={"outcome": FailureGuidance.LITIGATION, "note": "遗嘱效力需由法院认定，已引导当事人向人民法院起诉。"},
    ),
    Case(
        "demo-060", "archived", "pollution", f"{C1}-002", "dispatcher", Source.HOTLINE_12345,
        "餐饮店油烟扰民纠纷",
        "12345转办：楼下烧烤店油烟、噪音扰民，楼上住户与店主多次发生争执。",
        "新山村街道演示一社区商业街", [A("孙秀英"), ORG("大渡口区某烧烤店")], 48,
        complexity=Complexity.SIMPLE,
        more={"outcome": "oral", "terms": "店主加装油烟净化设备，晚十一点后停止室外经营。"},
    ),
    Case(
        "demo-061", "registered", "housing_land", C1, "mediator", Source.COMMITTEE_PATROL,
        "外墙渗水维修纠纷",
        "调委会排查发现，顶楼住户外墙渗水，要求使用维修资金，部分业主不同意分摊。",
        "新山村街道演示一社区", [A("马建华"), R("朱丽")], 0,
        people=5,
    ),
]
# fmt: on
