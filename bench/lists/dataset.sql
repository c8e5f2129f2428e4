-- The list-benchmark dataset of bench/lists (plain SQL, no generator needed): a city of 38 districts x 10 streets
-- x 10 communities x 5 grids, 10^6 disputes over five years with two parties and three events each, one dispute
-- with a 2,000-event timeline, 1.3M patrol duties, 100,000 notifications, 108,680 periodic reports.
-- Load into a freshly migrated database (at the commit before the list indexes, for the 'before'):
--   psql -d DB -f bench/lists/dataset.sql

SET synchronous_commit = off;
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
VALUES (1, '!', true, 'bench', '', '', '', true, true, now()) ON CONFLICT DO NOTHING;
-- region tree: city 1, 38 districts, 10 streets each, 10 communities each, 5 grids each
INSERT INTO mediation_region (id, code, name, level, kind, path, urban_rural_code, is_demo, is_active, parent_id)
VALUES (1, '500000', '重庆市', 1, 'city', '/1/', '', false, true, NULL);
INSERT INTO mediation_region (id, code, name, level, kind, path, urban_rural_code, is_demo, is_active, parent_id)
SELECT 1 + d, '50' || lpad(d::text, 4, '0'), '区' || d, 2, 'district', '/1/' || (1 + d) || '/', '', false, true, 1
FROM generate_series(1, 38) d;
INSERT INTO mediation_region (id, code, name, level, kind, path, urban_rural_code, is_demo, is_active, parent_id)
SELECT 100 + (d - 1) * 10 + s, '50' || lpad(d::text, 4, '0') || lpad(s::text, 3, '0'), '街道' || d || '-' || s, 3, 'street',
       '/1/' || (1 + d) || '/' || (100 + (d - 1) * 10 + s) || '/', '', false, true, 1 + d
FROM generate_series(1, 38) d, generate_series(1, 10) s;
INSERT INTO mediation_region (id, code, name, level, kind, path, urban_rural_code, is_demo, is_active, parent_id)
SELECT 1000 + (st - 100 - 1) * 10 + c, 'c' || st || '-' || c, '社区' || st || '-' || c, 4, 'community',
       r.path || (1000 + (st - 100 - 1) * 10 + c) || '/', '', false, true, st
FROM generate_series(101, 480) st JOIN mediation_region r ON r.id = st, generate_series(1, 10) c;
INSERT INTO mediation_region (id, code, name, level, kind, path, urban_rural_code, is_demo, is_active, parent_id)
SELECT 10000 + (cm - 1001) * 5 + g, 'g' || cm || '-' || g, '网格' || cm || '-' || g, 5, 'grid',
       r.path || (10000 + (cm - 1001) * 5 + g) || '/', '', false, true, cm
FROM generate_series(1001, 4800) cm JOIN mediation_region r ON r.id = cm, generate_series(1, 5) g;
SELECT setval(pg_get_serial_sequence('mediation_region', 'id'), 100000);
INSERT INTO disputes_category (id, code, name, is_plan_field, sort_order, is_active)
SELECT i, 'cat' || i, (ARRAY['婚姻家庭','邻里','房屋宅基地','合同','损害赔偿','劳动争议','医疗','物业','交通事故','征地拆迁'])[i], false, i, true
FROM generate_series(1, 10) i;
-- one platform per street
INSERT INTO mediation_mediationorganization (id, name, kind, established_on, dissolved_on, address, phone, is_demo, region_id, host_unit_id,
  contact_person, fields, has_party_organization, hosted_in_id, is_foreign_related, online_capable, named_after_id)
SELECT st, '综合调处平台' || st, 'platform', '2020-01-01', NULL, '', '', false, st, NULL, '', '[]', false, NULL, false, false, NULL
FROM generate_series(101, 480) st;
SELECT setval(pg_get_serial_sequence('mediation_mediationorganization', 'id'), 1000);
-- 10^6 disputes over 5 years
CREATE TEMP TABLE words(i int, w text);
INSERT INTO words SELECT row_number() over (), w FROM unnest(ARRAY['噪音','漏水','欠薪','拆迁','遗产','赡养','离婚','工伤','车位','装修','宠物','借款','租金','物业费','停车','采光','围墙','排水','树木','油烟','地界','合伙','彩礼','抚养','医疗费','保险','货款','工程款','押金','安置']) w;
INSERT INTO disputes_dispute (id, number, source, external_id, region_path, address, occurred_at, title, description, people_involved, amount,
  risk_flags, risk_grade, risk_grade_by_rules, risk_override_reason, complexity, in_sensitive_period, status, handling_level, due_at,
  due_date_estimated, rights_notified_at, extended, outcome, failure_guidance, preventions, outcome_note, resolved_at, closed_at,
  void_reason, version, created_at, updated_at, category_id, created_by_id, duplicate_of_id, leader_id, platform_id, region_id, routing_rule_id)
SELECT n,
  'DDK-' || extract(year from ca)::int || '-' || lpad(n::text, 7, '0'),
  (ARRAY['application','grid_patrol','police','court','hotline_12345'])[1 + n % 5], '',
  g.path, '路' || (n % 997) || '号' || (n % 31) || '栋',
  ca - interval '3 days', w1.w || w2.w || '纠纷' || (n % 1000),
  '当事人因' || w1.w || '与' || w2.w || '问题发生争执，编号' || n || '，请求调解。',
  1 + n % 7, (n % 100000)::numeric, '[]', CASE WHEN n % 10 = 0 THEN NULL ELSE 1 + n % 4 END, NULL, '', '', false,
  st.s, NULL,
  CASE WHEN st.s IN ('registered','assessed','assigned','in_progress','reported_up') THEN ca + interval '30 days' ELSE NULL END,
  false, NULL, false, '', '', '[]', '', NULL, NULL, '', 1, ca, ca,
  1 + n % 10, 1, NULL, NULL, 101 + (n % 380), g.id, NULL
FROM (
  SELECT n, timestamptz '2021-06-01 00:00+08' + (n::float / 1000000) * interval '1826 days' AS ca,
         10001 + (hashint4(n) & 2147483647) % 19000 AS grid_id,
         1 + (hashint4(n * 7) & 2147483647) % 30 AS a, 1 + (hashint4(n * 13) & 2147483647) % 30 AS b
  FROM generate_series(1, 1000000) n
) x
JOIN mediation_region g ON g.id = x.grid_id
JOIN words w1 ON w1.i = x.a JOIN words w2 ON w2.i = x.b
CROSS JOIN LATERAL (SELECT CASE
   WHEN x.ca > timestamptz '2026-03-01' THEN (ARRAY['registered','assessed','assigned','in_progress','reported_up'])[1 + n % 5]
   WHEN n % 50 = 0 THEN 'in_progress'
   ELSE (ARRAY['resolved','failed','fed_back','archived','archived','archived','voided'])[1 + n % 7] END AS s) st;
SELECT setval(pg_get_serial_sequence('disputes_dispute', 'id'), 2000000);
-- two parties each
INSERT INTO disputes_party (id, kind, role, name, id_number, phone, address, consents_to_mediation, consent_recorded_at, vulnerabilities, dispute_id)
SELECT d * 2 + k, 'person', CASE k WHEN 0 THEN 'applicant' ELSE 'respondent' END,
  (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴'])[1 + (hashint4(d * 2 + k) & 2147483647) % 10]
   || (ARRAY['伟','芳','娜','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛'])[1 + (hashint4(d * 3 + k) & 2147483647) % 15]
   || (ARRAY['','明','华','平','红','英','文','玉'])[1 + (hashint4(d * 5 + k) & 2147483647) % 8],
  '500104' || lpad(((d * 2 + k) % 1000000000000)::text, 12, '0'),
  '139' || lpad(((d * 2 + k) % 100000000)::text, 8, '0'), '', true, NULL, '[]', d
FROM generate_series(1, 1000000) d, generate_series(0, 1) k;
SELECT setval(pg_get_serial_sequence('disputes_party', 'id'), 5000000);
-- one assignment for assigned-and-later disputes
INSERT INTO disputes_assignment (role, status, limit_days, day_type, accept_due_at, due_at, due_date_estimated, note, assigned_at,
  accepted_at, return_reason, returned_at, result_report, completed_at, overdue_level, accepted_by_id, assigned_by_id, from_platform_id,
  to_organization_id, to_unit_id, dispute_id)
SELECT 'lead', CASE WHEN status IN ('assigned') THEN 'pending' WHEN status = 'in_progress' THEN 'accepted' ELSE 'completed' END,
  30, 'working', created_at + interval '2 days', created_at + interval '30 days', false, '', created_at, NULL, '', NULL, '', NULL, NULL,
  NULL, 1, platform_id, platform_id, NULL, id
FROM disputes_dispute WHERE status NOT IN ('registered','assessed','voided','reported_up');
-- events: three per dispute, and one dispute with a long timeline (2000 events)
INSERT INTO disputes_event (action, at, note, before, after, actor_id, dispute_id)
SELECT (ARRAY['register','assess','assign'])[k], created_at + (k || ' hours')::interval, '', '{}', '{}', 1, id
FROM disputes_dispute, generate_series(1, 3) k;
INSERT INTO disputes_event (action, at, note, before, after, actor_id, dispute_id)
SELECT 'note', timestamptz '2026-01-01' + (k || ' minutes')::interval, '记录' || k, '{}', '{}', 1, 999000
FROM generate_series(1, 2000) k;
ANALYZE;
-- daily duties for every grid over the last 60 days (today pending), weekly for communities over a year
INSERT INTO disputes_patrolduty (region_id, cadence, period_start, period_end, due_at, sensitive, status, created_at)
SELECT g.id, 'daily', d::date, d::date, (d::date + time '23:59:59') AT TIME ZONE 'Asia/Shanghai', false,
  CASE WHEN d::date = current_date THEN 'pending' WHEN (g.id + extract(doy from d)::int) % 10 = 0 THEN 'missing'
       WHEN (g.id + extract(doy from d)::int) % 7 = 0 THEN 'late' ELSE 'on_time' END, d
FROM mediation_region g, generate_series(current_date - 59, current_date, interval '1 day') d WHERE g.level = 5;
INSERT INTO disputes_patrolduty (region_id, cadence, period_start, period_end, due_at, sensitive, status, created_at)
SELECT c.id, 'weekly', w::date, w::date + 6, (w::date + 6 + time '23:59:59') AT TIME ZONE 'Asia/Shanghai', false,
  CASE WHEN w::date + 6 >= current_date THEN 'pending' WHEN c.id % 9 = 0 THEN 'missing' ELSE 'on_time' END, w
FROM mediation_region c, generate_series(date_trunc('week', current_date) - interval '51 weeks', date_trunc('week', current_date), interval '1 week') w
WHERE c.level = 4;
-- 100,000 notifications for the office user, a fifth unread
INSERT INTO mediation_notification (title, body, url, created_at, read_at, alert_id, user_id)
SELECT '超期提醒 ' || n, '', '', now() - (n || ' minutes')::interval, CASE WHEN n % 5 = 0 THEN NULL ELSE now() END, NULL, 101
FROM generate_series(1, 100000) n;
-- weekly reports per street and district over five years
INSERT INTO disputes_periodicreport (kind, period_start, period_end, scope_key, figures, rows, generated_at, region_id, unit_id)
SELECT 'weekly', w::date, w::date + 6, 'region:' || r.id, '{}', '[]', w, r.id, NULL
FROM mediation_region r, generate_series(date_trunc('week', current_date) - interval '260 weeks', date_trunc('week', current_date) - interval '1 week', interval '1 week') w
WHERE r.level IN (2, 3);
ANALYZE disputes_patrolduty; ANALYZE mediation_notification; ANALYZE disputes_periodicreport;
INSERT INTO disputes_event (action, at, note, before, after, actor_id, dispute_id) SELECT 'note', timestamptz '2026-01-01' + (k || ' minutes')::interval, '记录' || k, '{}', '{}', 1, 999994 FROM generate_series(1, 2000) k;
SELECT setval(pg_get_serial_sequence('auth_user', 'id'), 100);
