"""Column headers: the names each field goes by, and the form they are compared in.

Exports name the same field in many ways (身份证号, 公民身份号码, 证件号码,
id_number). A header is compared after normalising: full-width forms made ASCII,
every space and line break removed, English lower-cased, a leading ``*`` (a
required-field mark) dropped, and a trailing unit in brackets — 金额(元),
课时（学时） — tried without it. A money column whose unit is not yuan (万元)
is not placed, so its figures are never read as yuan.
"""

from __future__ import annotations

import re
import unicodedata

from imports.kinds import ENVELOPE, ITEM, KINDS

ROW_NUMBER = frozenset({"序号", "行号", "no", "no.", "编号序号", "#"})  # numbering, never kept
YUAN_UNITS = frozenset({"元", "人民币", "人民币元", "yuan", "rmb", "cny"})
_UNIT = re.compile(r"^(.*?)\(([^()]*)\)$")


def normalise(header: object) -> str:
    """The comparable form of a header: ``'* 金额（元）'`` → ``'金额(元)'``."""
    text = unicodedata.normalize("NFKC", str(header if header is not None else ""))
    text = re.sub(r"\s+", "", text).strip("*※:").lower()
    return text


def without_unit(header: str) -> tuple[str, str | None]:
    """A normalised header and its trailing bracketed unit: ``金额(元)`` → (``金额``, ``元``)."""
    m = _UNIT.match(header)
    return (m.group(1), m.group(2)) if m else (header, None)


# Names shared by every kind that has the field; a kind's own list comes first.
_COMMON: dict[str, tuple[str, ...]] = {
    "person_id": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "身份证",
                  "学员身份证号", "人员身份证号", "社会保障号码", "id_number", "person_id",
                  "idnumber", "idcard"),
    "county": ("所属区县", "县区", "区县", "所在区县", "所属县区", "县(市、区)", "县市区",
               "区县代码", "行政区划", "county"),
    "class_id": ("培训班编号", "班级编号", "开班编号", "班级代码", "培训班号", "班级号",
                 "class_id"),
    "institution_id": ("机构编号", "培训机构编号", "机构代码", "培训机构代码", "institution_id"),
    "agency_id": ("评价机构编号", "鉴定机构编号", "评价机构代码", "鉴定机构代码", "agency_id"),
    "employer_id": ("用人单位编号", "企业编号", "就业单位编号", "合作企业编号", "employer_id"),
    "claim_id": ("申请编号", "申领编号", "补贴申请编号", "申请单号", "claim_id"),
    "payment_id": ("支付编号", "拨付编号", "支付流水号", "交易流水号", "拨付单号", "payment_id"),
    "voucher_id": ("培训券编号", "券号", "电子培训券编号", "voucher_id"),
    "assessment_id": ("评价编号", "考试编号", "鉴定编号", "准考证号", "assessment_id"),
    "certificate_id": ("证书编号", "证书号", "certificate_id"),
    "occupation": ("职业编码", "职业(工种)编码", "工种编码", "职业代码", "occupation"),
    "level": ("技能等级", "等级", "培训等级", "鉴定等级", "评价等级", "level"),
    "program": ("资金项目", "补贴项目", "项目", "资金来源", "项目名称", "program"),
    "phone": ("手机号码", "手机号", "联系电话", "电话", "联系方式", "phone", "mobile"),
    "bank_account": ("银行账号", "收款账号", "银行卡号", "收款人账号", "账号", "bank_account"),
    "lat": ("纬度", "lat", "latitude"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "recorded_at": ("录入时间", "上报时间", "上传时间", "记录时间", "创建时间", "recorded_at"),
    "occurred_at": ("发生时间", "occurred_at"),
    "source": ("来源系统", "数据来源", "source"),
}

_OWN: dict[str, dict[str, tuple[str, ...]]] = {
    "persons": {
        "name": ("姓名", "学员姓名", "name"),
        "gender": ("性别", "gender", "sex"), "birth_date": ("出生日期", "出生年月日",
                                                          "birth_date"),
        "hukou": ("户籍", "户籍性质", "户口性质", "户口类型", "hukou"),
        "category": ("人员类别", "人员类型", "人员身份", "category"),
        "occurred_at": ("登记时间", "登记日期", "注册时间"),
    },
    "institutions": {
        "name": ("机构名称", "培训机构名称", "单位名称", "name"),
        "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
        "kind": ("机构类型", "机构类别", "办学类型", "kind"),
        "licensed_occupations": ("培训职业", "许可职业", "核准职业", "培训职业(工种)",
                                 "licensed_occupations"),
        "venue_capacity": ("场地容量", "培训规模", "容纳人数", "venue_capacity"),
        "legal_rep_id": ("法定代表人身份证号", "法人身份证号", "法定代表人证件号码",
                         "legal_rep_id"),
        "occurred_at": ("登记时间", "登记日期", "备案日期", "备案时间"),
    },
    "classes": {
        "occupation_name": ("职业名称", "职业(工种)", "工种", "职业(工种)名称", "工种名称",
                            "occupation_name"),
        "mode": ("培训模式", "培训类型", "培训方式", "mode"),
        "venue": ("培训地点", "培训场地", "上课地点", "venue"),
        "capacity": ("班级容量", "计划人数", "额定人数", "班额", "capacity"),
        "start_date": ("开班日期", "开始日期", "培训开始日期", "开班时间", "start_date"),
        "end_date": ("结业日期", "结束日期", "培训结束日期", "结业时间", "end_date"),
        "planned_days": ("计划天数", "培训天数", "planned_days"),
        "planned_hours": ("计划课时", "培训课时", "课时", "计划学时", "总课时", "planned_hours"),
        "occurred_at": ("开班申请时间", "申请时间", "开班登记时间", "登记时间"),
    },
    "enrolments": {"occurred_at": ("报名时间", "入班时间", "报名日期", "登记时间")},
    "attendance": {
        "direction": ("签到类型", "打卡类型", "签到/签退", "考勤类型", "方向", "direction"),
        "method": ("打卡方式", "签到方式", "识别方式", "考勤方式", "method"),
        "device_id": ("设备编号", "考勤机编号", "终端编号", "device_id"),
        "face_score": ("人脸比对分数", "比对分数", "比对分值", "相似度", "face_score"),
        "occurred_at": ("签到时间", "打卡时间", "考勤时间", "签到签退时间", "签到/签退时间"),
    },
    "assessments": {
        "score": ("成绩", "分数", "考试成绩", "总成绩", "score"),
        "passed": ("是否合格", "是否通过", "考试结果", "评价结果", "鉴定结果", "passed"),
        "occurred_at": ("考试时间", "考试日期", "评价日期", "评价时间", "鉴定日期"),
    },
    "certificates": {"occurred_at": ("发证日期", "发证时间", "颁证日期", "取证日期")},
    "employment": {
        "start_date": ("入职日期", "就业日期", "就业时间", "入职时间", "start_date"),
        "monthly_income": ("月收入", "月工资", "工资收入", "月平均工资", "monthly_income"),
        "social_insurance": ("是否参保", "缴纳社保", "参加社保", "社保缴纳情况",
                             "social_insurance"),
        "occurred_at": ("核验时间", "核实时间", "核验日期", "核实日期"),
    },
    "claims": {
        "claimant_type": ("申请主体类型", "申请人类型", "申请主体类别", "claimant_type"),
        "claimant_id": ("申请主体编号", "申请单位编号", "申请人编号", "申请主体", "claimant_id"),
        "kind": ("补贴类型", "补贴种类", "补贴类别", "kind"),
        "amount": ("申请总金额", "申请金额合计", "申领总额", "申请总额", "amount"),
        ITEM + "person_id": (),
        ITEM + "amount": ("补贴金额", "金额", "申请金额", "补贴标准", "item_amount"),
        ITEM + "days": ("培训天数", "出勤天数", "天数", "days"),
        ITEM + "certificate_id": (),
        "occurred_at": ("申请时间", "申请日期", "申报时间", "申报日期"),
    },
    "reviews": {
        "decision": ("审核结果", "审核意见", "审批结果", "decision"),
        "approved_amount": ("审核金额", "核定金额", "审核通过金额", "核准金额", "approved_amount"),
        "reviewer": ("审核人", "审核员", "审核岗", "reviewer"),
        "occurred_at": ("审核时间", "审核日期", "审批时间"),
    },
    "payments": {
        "amount": ("拨付金额", "支付金额", "金额", "补贴金额", "实付金额", "amount"),
        "occurred_at": ("拨付时间", "支付时间", "支付日期", "拨付日期", "到账时间"),
    },
    "budgets": {
        "year": ("年度", "预算年度", "年份", "year"),
        "amount": ("下达金额", "预算金额", "资金额度", "金额", "下达资金", "amount"),
        "occurred_at": ("下达时间", "下达日期", "文件日期"),
    },
    "spotchecks": {
        "inspector": ("检查人", "检查人员", "抽查人", "inspector"),
        "headcount_observed": ("实到人数", "在场人数", "检查时实到人数", "现场人数",
                               "headcount_observed"),
        "notes": ("检查情况", "检查记录", "情况说明", "notes"),
        "occurred_at": ("检查时间", "抽查时间", "检查日期", "抽查日期"),
    },
}


def names_of(kind: str) -> dict[str, str]:
    """Every normalised header a kind's fields go by → the field (the kind's own first)."""
    table: dict[str, str] = {}
    own = _OWN[kind]
    fields = [*KINDS[kind].fields, *ENVELOPE]
    for f in fields:
        plain_field = f.removeprefix(ITEM)
        for name in (*own.get(f, ()), *_COMMON.get(plain_field, ())):
            table.setdefault(normalise(name), f)
    return table


def field_names(kind: str, field: str) -> tuple[str, ...]:
    """The headers a field is known by, as written (for messages and the manual)."""
    return (*_OWN[kind].get(field, ()), *_COMMON.get(field.removeprefix(ITEM), ()))


MONEY_FIELDS = frozenset({"amount", "monthly_income", "approved_amount", ITEM + "amount"})
