"""A generated city's events exported as the source systems export them: one sheet per kind.

Each kind goes out in the format and with the local forms its source uses —
Chinese headers and words, a title row, local date and money forms, GBK and
GB18030 CSV, .xlsx and .ods — so importing the folder back exercises every
mapping. The words are written here from the spec's meaning, not taken from
the importer. Events of types no kind covers stay JSON Lines (``rest.jsonl``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.imports.sheets import write_ods, write_text, write_xlsx

GENDER = {"M": "男", "F": "女"}
HUKOU = {"rural": "农村", "urban": "城镇"}
CATEGORY = {"rural_transfer": "农村转移劳动力", "unemployed": "失业人员",
            "poverty_alleviated": "脱贫人口", "graduate": "高校毕业生", "employee": "企业职工",
            "flexible": "灵活就业人员", "other": "其他"}
MODE = {"inclusive": "普惠制", "order": "订单式", "project": "项目制", "enterprise": "企业职工",
        "apprentice": "新型学徒制", "entrepreneurship": "创业培训"}
LEVEL = {5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师", 1: "一级/高级技师"}
KIND = {"technical_school": "技工院校", "training_center": "培训中心",
        "private_school": "民办职业培训学校", "enterprise": "企业", "college": "高等院校"}
DIRECTION = {"in": "签到", "out": "签退"}
METHOD = {"face": "人脸识别", "fingerprint": "指纹", "card": "刷卡", "manual": "手工"}
DECISION = {"approved": "通过", "rejected": "不通过", "partial": "部分通过"}
CLAIMANT = {"institution": "培训机构", "employer": "企业", "person": "个人"}
CLAIM_KIND = {"training": "培训补贴", "certification": "鉴定补贴", "living": "生活费补贴"}

Getter = Callable[[dict[str, Any]], Any]


def data(name: str, table: dict[Any, str] | None = None) -> Getter:
    def get(e: dict[str, Any]) -> Any:
        value = e["data"].get(name)
        return table[value] if table is not None and value is not None else value
    return get


def local_time(field: str) -> Getter:
    """``2023-03-01T08:00:05+08:00`` as exports write it: ``2023-03-01 08:00:05``."""
    def get(e: dict[str, Any]) -> Any:
        value = e.get(field)
        assert value is None or value.endswith("+08:00"), value
        return None if value is None else value[:-6].replace("T", " ")
    return get


def time_cell(field: str) -> Getter:
    """The same, as a workbook's time cell."""
    def get(e: dict[str, Any]) -> Any:
        value = local_time(field)(e)
        return None if value is None else datetime.fromisoformat(value)
    return get


def slashed(name: str) -> Getter:
    """``2020-05-07`` as ``2020/5/7``."""
    def get(e: dict[str, Any]) -> Any:
        d = date.fromisoformat(e["data"][name])
        return f"{d.year}/{d.month}/{d.day}"
    return get


def yuan(value: str, suffix: str = "元", prefix: str = "") -> str:
    """``"19110.00"`` as ``19,110.00元`` (or with a ``￥`` before it)."""
    return f"{prefix}{Decimal(value):,.2f}{suffix}"


def number(name: str) -> Getter:
    def get(e: dict[str, Any]) -> Any:
        value = e["data"].get(name)
        return None if value is None else str(value)
    return get


COLUMNS: dict[str, list[tuple[str, Getter]]] = {
    "persons": [
        ("姓名", data("name")), ("公民身份号码", data("person_id")),
        ("性别", data("gender", GENDER)),
        ("出生日期", lambda e: date.fromisoformat(e["data"]["birth_date"])),
        ("所属区县", data("county")), ("户籍性质", data("hukou", HUKOU)),
        ("人员类别", data("category", CATEGORY)), ("手机号码", data("phone")),
        ("银行账号", data("bank_account")), ("登记时间", time_cell("occurred_at")),
        ("录入时间", time_cell("recorded_at"))],
    "institutions": [
        ("机构编号", data("institution_id")), ("机构名称", data("name")),
        ("统一社会信用代码", data("credit_code")), ("机构类型", data("kind", KIND)),
        ("所属区县", data("county")),
        ("培训职业", lambda e: "、".join(e["data"]["licensed_occupations"])),
        ("场地容量", data("venue_capacity")), ("法定代表人身份证号", data("legal_rep_id")),
        ("联系电话", data("phone")), ("收款账号", data("bank_account")),
        ("登记时间", local_time("occurred_at")), ("录入时间", local_time("recorded_at"))],
    "classes": [
        ("培训班编号", data("class_id")), ("机构编号", data("institution_id")),
        ("职业(工种)编码", data("occupation")), ("职业名称", data("occupation_name")),
        ("培训等级", data("level", LEVEL)), ("培训模式", data("mode", MODE)),
        ("所属区县", data("county")), ("培训地点", data("venue")), ("纬度", data("lat")),
        ("经度", data("lon")), ("班级容量", data("capacity")),
        ("开班日期", lambda e: date.fromisoformat(e["data"]["start_date"])),
        ("结业日期", lambda e: date.fromisoformat(e["data"]["end_date"])),
        ("计划天数", data("planned_days")), ("计划课时(学时)", data("planned_hours")),
        ("资金项目", data("program")), ("合作企业编号", data("employer_id")),
        ("开班申请时间", time_cell("occurred_at")), ("录入时间", time_cell("recorded_at"))],
    "enrolments": [
        ("培训班编号", data("class_id")), ("身份证号", data("person_id")),
        ("培训券编号", data("voucher_id")), ("报名时间", local_time("occurred_at")),
        ("录入时间", local_time("recorded_at"))],
    "attendance": [
        ("培训班编号", data("class_id")), ("身份证号", data("person_id")),
        ("签到类型", data("direction", DIRECTION)), ("打卡方式", data("method", METHOD)),
        ("设备编号", data("device_id")), ("纬度", number("lat")), ("经度", number("lon")),
        ("人脸比对分数", number("face_score")), ("签到时间", local_time("occurred_at")),
        ("上传时间", local_time("recorded_at"))],
    "assessments": [
        ("评价编号", data("assessment_id")), ("身份证号", data("person_id")),
        ("评价机构编号", data("agency_id")), ("职业编码", data("occupation")),
        ("等级", number("level")), ("成绩", number("score")),
        ("是否合格", lambda e: "合格" if e["data"]["passed"] else "不合格"),
        ("考试时间", local_time("occurred_at")), ("录入时间", local_time("recorded_at"))],
    "certificates": [
        ("证书编号", data("certificate_id")), ("身份证号", data("person_id")),
        ("评价机构编号", data("agency_id")), ("职业编码", data("occupation")),
        ("技能等级", lambda e: LEVEL[e["data"]["level"]].split("/")[0]),
        ("评价编号", data("assessment_id")), ("发证时间", time_cell("occurred_at")),
        ("录入时间", time_cell("recorded_at"))],
    "employment": [
        ("身份证号", data("person_id")), ("用人单位编号", data("employer_id")),
        ("入职日期", slashed("start_date")),
        ("月收入(元)", lambda e: yuan(e["data"]["monthly_income"])),
        ("是否参保", lambda e: "是" if e["data"]["social_insurance"] else "否"),
        ("核验时间", local_time("occurred_at")), ("录入时间", local_time("recorded_at"))],
    "reviews": [
        ("申请编号", data("claim_id")), ("审核结果", data("decision", DECISION)),
        ("审核金额", lambda e: yuan(e["data"]["approved_amount"], "")),
        ("审核人", data("reviewer")), ("审核时间", local_time("occurred_at")),
        ("录入时间", local_time("recorded_at"))],
    "payments": [
        ("拨付编号", data("payment_id")), ("申请编号", data("claim_id")),
        ("拨付金额", lambda e: yuan(e["data"]["amount"])), ("收款账号", data("bank_account")),
        ("所属区县", data("county")), ("资金项目", data("program")),
        ("拨付时间", time_cell("occurred_at")), ("录入时间", time_cell("recorded_at"))],
    "budgets": [
        ("所属区县", data("county")), ("资金项目", data("program")),
        ("年度", lambda e: f"{e['data']['year']}年"),
        # a number cell, as Excel keeps money (a binary double): the import must give the
        # exact yuan back; the events compared are the spec's exact strings
        ("下达金额", lambda e: float(e["data"]["amount"])),
        ("下达时间", local_time("occurred_at")), ("录入时间", local_time("recorded_at"))],
    "spotchecks": [
        ("培训班编号", data("class_id")), ("检查人员", data("inspector")),
        ("实到人数", data("headcount_observed")), ("检查情况", data("notes")),
        ("检查时间", local_time("occurred_at")), ("录入时间", local_time("recorded_at"))],
}
CLAIM_COLUMNS: list[tuple[str, Callable[[dict[str, Any], dict[str, Any]], Any]]] = [
    ("申请编号", lambda e, i: e["data"]["claim_id"]),
    ("申请主体类型", lambda e, i: CLAIMANT[e["data"]["claimant_type"]]),
    ("申请主体编号", lambda e, i: e["data"]["claimant_id"]),
    ("补贴类型", lambda e, i: CLAIM_KIND[e["data"]["kind"]]),
    ("培训班编号", lambda e, i: e["data"].get("class_id")),
    ("资金项目", lambda e, i: e["data"]["program"]), ("所属区县", lambda e, i: e["data"]["county"]),
    ("申请总金额", lambda e, i: yuan(e["data"]["amount"], "", "￥")),
    ("身份证号", lambda e, i: i["person_id"]),
    ("补贴金额", lambda e, i: float(i["amount"])),  # a number cell, as Excel keeps it
    ("培训天数", lambda e, i: i.get("days")), ("证书编号", lambda e, i: i.get("certificate_id")),
    ("申请时间", lambda e, i: local_time("occurred_at")(e)),
    ("录入时间", lambda e, i: local_time("recorded_at")(e)),
]
TYPES = {"persons": "PersonRegistered", "institutions": "InstitutionRegistered",
         "classes": "ClassOpened", "enrolments": "TraineeEnrolled",
         "attendance": "AttendanceRecorded", "assessments": "AssessmentTaken",
         "certificates": "CertificateIssued", "employment": "EmploymentVerified",
         "claims": "SubsidyClaimed", "reviews": "ClaimReviewed", "payments": "SubsidyPaid",
         "budgets": "BudgetAllocated", "spotchecks": "SpotCheckPerformed"}
FILES = {"persons": "人员花名册.xlsx", "institutions": "培训机构.ods", "classes": "开班信息.xlsx",
         "enrolments": "报名-utf8bom.csv", "attendance": "考勤记录-gbk.csv",
         "assessments": "评价结果-gb18030.csv", "certificates": "证书.xlsx",
         "employment": "就业核验.csv", "claims": "补贴申请明细.xlsx", "reviews": "审核.csv",
         "payments": "拨付.xlsx", "budgets": "预算下达.ods", "spotchecks": "抽查.txt"}
ENCODINGS = {"enrolments": "utf-8-sig", "attendance": "gbk", "assessments": "gb18030",
             "employment": "utf-8", "reviews": "gbk", "spotchecks": "gbk"}
MAPPING = "[files]\n" + "".join(f'"{name}" = "{kind}"\n' for kind, name in FILES.items())


def export_city(city: Path, folder: Path) -> Path:
    """Write the city's events as sheets by kind into ``folder``; return ``rest.jsonl``."""
    by_type: dict[str, list[dict[str, Any]]] = {t: [] for t in TYPES.values()}
    rest = folder / "rest.jsonl"
    with open(city, encoding="utf-8") as f, open(rest, "w", encoding="utf-8") as out:
        for line in f:
            event = json.loads(line)
            if event["type"] in by_type:
                by_type[event["type"]].append(event)
            else:
                out.write(line)
    sheets = folder / "sheets"
    sheets.mkdir()
    for kind, type_ in TYPES.items():
        events = by_type[type_]
        if kind == "claims":
            header = [h for h, _ in CLAIM_COLUMNS]
            body = [[get(e, item) for _, get in CLAIM_COLUMNS]
                    for e in events for item in e["data"]["items"]]
        else:
            header = ["序号", *(h for h, _ in COLUMNS[kind])]
            body = [[n, *(get(e) for _, get in COLUMNS[kind])] for n, e in enumerate(events, 1)]
        title = [f"{kind} 导出 2023-2024"]
        path = sheets / FILES[kind]
        if kind == "spotchecks":
            total = sum(int(r[3]) for r in body)
            body.append(["合计", None, None, total])
        if path.suffix == ".xlsx":
            write_xlsx(path, [title, header, *body], merges=["A1:D1"])
        elif path.suffix == ".ods":
            write_ods(path, [title, header, *body])
        else:
            write_text(path, [title, header, *body], ENCODINGS[kind],
                       "\t" if path.suffix == ".txt" else ",")
    (folder / "map.toml").write_text(MAPPING, encoding="utf-8")
    return rest
