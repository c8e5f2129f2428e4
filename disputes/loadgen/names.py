"""Realistic, deterministic Chinese names, numbers, addresses and case texts for the generator.

Everything here takes a random.Random, so the same seed gives the same words. ID numbers are valid per GB 11643
(a Chongqing county code, a birth date, the check digit) and phones per the platform's own check, so the forms
and masks treat them as they would real ones.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random

from stdnum.cn import ric, uscc

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤冉"
)
# Frequent surnames first, with more weight (Chongqing's commonest: 李王张刘陈杨…).
SURNAME_WEIGHTS = [max(1, 40 - i) for i in range(len(SURNAMES))]
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欣雪琳晨辉鹏飞"
    "建国志刚春燕海燕晓东小红德明永福国强秋菊冬梅丹丹婷婷倩文博思远子涵雨轩"
)
MOBILE_PREFIXES = [
    "138",
    "139",
    "135",
    "136",
    "150",
    "151",
    "158",
    "159",
    "180",
    "182",
    "187",
    "189",
    "133",
    "177",
    "199",
]
ROADS = [
    "钢花路",
    "松青路",
    "春晖路",
    "文体路",
    "建桥大道",
    "滨江路",
    "翠柏路",
    "大堰路",
    "民安大道",
    "锦愉路",
    "钰鑫大道",
    "新华路",
    "解放路",
    "人民路",
    "和平路",
    "建设路",
    "胜利路",
    "光明路",
    "东风路",
    "红旗路",
    "朝阳路",
    "长江路",
    "嘉陵路",
    "龙湖路",
    "南山路",
    "学府大道",
    "金开大道",
    "科园路",
    "兴隆街",
    "正街",
    "老街",
]
ESTATES = ["小区", "花园", "家园", "苑", "公寓", "新村", "佳园", "华府", "城"]
ESTATE_WORDS = [
    "锦绣",
    "阳光",
    "金色",
    "翠湖",
    "碧水",
    "怡景",
    "幸福",
    "和谐",
    "江山",
    "鑫城",
    "润达",
    "华宇",
    "恒大",
    "龙湖",
]
COMPANY_WORDS = [
    "鑫源",
    "恒达",
    "宏业",
    "华瑞",
    "渝发",
    "嘉禾",
    "金桥",
    "长盛",
    "兴旺",
    "宏图",
    "德润",
    "佳美",
    "永固",
    "诚信",
]
COMPANY_KINDS = [
    "建筑工程有限公司",
    "物业管理有限公司",
    "商贸有限公司",
    "餐饮管理有限公司",
    "装饰工程有限公司",
    "劳务有限公司",
    "汽车销售服务有限公司",
    "房地产开发有限公司",
    "医疗美容诊所",
    "运输有限公司",
    "科技有限公司",
    "家政服务有限公司",
]
EDUCATION = ["高中", "中专", "大专", "本科", "本科", "硕士"]


class Weighted:
    """`pick(rng)` is `rng.choices(population, weights)[0]` — the same draw, the same result — with the cumulative
    weights summed once instead of at every call."""

    def __init__(self, population, weights):
        self.population = list(population)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1] + 0.0
        self.hi = len(self.cumulative) - 1

    def pick(self, rng: random.Random):
        return self.population[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.hi)]


_SURNAME = Weighted(SURNAMES, SURNAME_WEIGHTS)


def person_name(rng: random.Random) -> str:
    surname = _SURNAME.pick(rng)
    given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return surname + given


def masked(name: str) -> str:
    """How registers write a person in a title: 王某."""
    return name[0] + "某"


def id_number(rng: random.Random, county_code: str, birth: dt.date, sequence: int | None = None) -> str:
    """A resident ID number (GB 11643): county, birth date, a 3-digit sequence, the check digit."""
    seq = rng.randrange(1, 1000) if sequence is None else sequence % 1000
    body = f"{county_code}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body)


def birth_date(rng: random.Random, today: dt.date, youngest: int = 18, oldest: int = 85) -> dt.date:
    return today - dt.timedelta(days=rng.randrange(youngest * 365, oldest * 365))


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def landline(rng: random.Random) -> str:
    return f"023{rng.randrange(60_000_000, 69_999_999):08d}"


def credit_code(rng: random.Random, county_code: str) -> str:
    """A unified social credit code (GB 32100) of an enterprise registered in the county."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + county_code + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def company(rng: random.Random, city: str = "重庆") -> str:
    return f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}"


def address(rng: random.Random, prefix: str) -> str:
    road = rng.choice(ROADS)
    if rng.random() < 0.7:
        estate = rng.choice(ESTATE_WORDS) + rng.choice(ESTATES)
        return (
            f"{prefix}{road}{rng.randrange(1, 300)}号{estate}{rng.randrange(1, 30)}栋"
            f"{rng.randrange(1, 5)}单元{rng.randrange(1, 33)}-{rng.randrange(1, 9)}"
        )
    return f"{prefix}{road}{rng.randrange(1, 500)}号"


# --- what disputes are about, per category code (disputes.services.defaults.CATEGORIES) ---------------------

SUBJECTS: dict[str, list[str]] = {
    "marriage_family": ["离婚财产分割", "子女抚养费", "赡养老人", "家庭暴力", "婆媳矛盾", "遗产继承"],
    "neighbourhood": ["楼上漏水", "噪音扰民", "公共通道堆放杂物", "宠物扰邻", "违章搭建遮挡采光", "油烟扰民"],
    "housing_land": ["宅基地界址", "房屋买卖过户", "房屋租赁押金", "相邻通行权", "房屋加建"],
    "contract": ["借款归还", "货款拖欠", "装修合同", "服务合同违约", "定金返还"],
    "business": ["合伙经营分红", "门面转让费", "加盟费返还", "供货质量"],
    "damages": ["人身损害赔偿", "财产损坏赔偿", "宠物伤人", "高空坠物致损", "打架致伤"],
    "forest_land": ["山林权属", "土地承包经营权", "林地界址"],
    "expropriation": ["征地补偿款分配", "拆迁安置", "青苗补偿"],
    "pollution": ["工地扬尘", "夜间施工噪声", "污水排放", "餐饮油烟"],
    "labour": ["拖欠工资", "工伤赔偿", "解除劳动合同经济补偿", "社会保险缴纳", "加班费"],
    "consumer": ["预付卡退费", "商品质量", "网购退货", "培训机构退费", "美容服务"],
    "medical": ["医疗费用", "诊疗损害", "医疗美容损害"],
    "traffic": ["交通事故赔偿", "非机动车碰撞", "停车剐蹭"],
    "property_management": ["物业费缴纳", "电梯维修", "停车位管理", "公共维修资金", "小区绿化"],
    "other": ["土地流转", "集体收益分配", "其他"],
    "city_management": ["占道经营", "广告招牌", "违法建筑"],
    "construction": ["工程款结算", "房屋质量", "施工损坏邻房"],
    "tourism": ["旅游团费退还", "景区服务"],
    "commerce": ["商铺租赁", "市场摊位"],
    "intellectual_property": ["商标使用", "著作权"],
    "internet": ["网络购物", "网络直播打赏", "网络借贷"],
    "migrant_wages": ["拖欠农民工工资", "劳务费结算"],
}
ORGANIZATION_RESPONDENT = {
    "labour",
    "consumer",
    "medical",
    "property_management",
    "construction",
    "migrant_wages",
    "contract",
    "business",
    "tourism",
    "commerce",
    "internet",
    "pollution",
}


def dispute_title(rng: random.Random, category: str, applicant: str, respondent: str) -> tuple[str, str]:
    """(summary, subject) in the register's style: 王某与李某楼上漏水纠纷."""
    subject = rng.choice(SUBJECTS.get(category) or SUBJECTS["other"])
    return f"{applicant}与{respondent}{subject}纠纷"[:100], subject


def description(
    rng: random.Random, subject: str, applicant: str, respondent: str, address: str, amount
) -> str:
    reasons = [
        f"双方因{subject}问题多次协商未果",
        f"{applicant}反映{respondent}在{subject}方面未履行约定",
        f"因{subject}引发争执，情绪较为激动",
        f"{subject}问题持续较长时间，矛盾有激化趋势",
    ]
    wants = ["请求社区协调解决", "申请人民调解", "要求对方赔偿损失", "要求依约履行", "请求相关部门介入"]
    money = f"，涉及金额约{amount}元" if amount else ""
    return f"{address}，{rng.choice(reasons)}{money}。{applicant}{rng.choice(wants)}。"


SESSION_PLACES = [
    "社区调解室",
    "街道综治中心调解室",
    "当事人家中",
    "现场",
    "调委会办公室",
    "区矛调中心调解室",
]
CHANNELS = ["电话", "当面", "短信", "书面", "微信"]
COURTS_SUFFIX = "人民法院"
