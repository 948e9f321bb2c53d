"""The spec's enumerations and the words the source systems write for them.

Each table maps what may stand in a cell (the code itself, its Chinese name and
the usual variants) to the spec's code. Case and spaces do not matter; a word
not listed is refused with the list of those allowed (``values.choice``).
"""

from __future__ import annotations

from imports.values import Parser, choice


def _with_codes(words: dict[str, object]) -> dict[str, object]:
    """The table plus each code standing for itself (``face`` is as good as 人脸识别)."""
    return {**{str(v): v for v in words.values()}, **words}


GENDER = choice(_with_codes({"男": "M", "女": "F", "male": "M", "female": "F", "男性": "M",
                             "女性": "F"}), "gender", "性别")
HUKOU = choice(_with_codes({"农村": "rural", "城镇": "urban", "农业": "rural", "非农业": "urban",
                            "农业户口": "rural", "非农业户口": "urban", "农村户口": "rural",
                            "城镇户口": "urban", "乡村": "rural", "城市": "urban"}),
               "hukou", "户籍性质")
CATEGORY = choice(_with_codes({
    "农村转移劳动力": "rural_transfer", "农村劳动力": "rural_transfer",
    "失业人员": "unemployed", "登记失业人员": "unemployed", "城镇登记失业人员": "unemployed",
    "脱贫人口": "poverty_alleviated", "脱贫劳动力": "poverty_alleviated",
    "建档立卡贫困劳动力": "poverty_alleviated", "脱贫户": "poverty_alleviated",
    "高校毕业生": "graduate", "毕业年度高校毕业生": "graduate",
    "企业职工": "employee", "在职职工": "employee",
    "灵活就业人员": "flexible", "灵活就业": "flexible", "其他": "other", "其它": "other",
}), "person category", "人员类别")
MODE = choice(_with_codes({
    "普惠制": "inclusive", "普惠制培训": "inclusive", "订单式": "order", "订单式培训": "order",
    "项目制": "project", "项目制培训": "project", "企业职工": "enterprise",
    "企业职工培训": "enterprise", "新型学徒制": "apprentice", "企业新型学徒制": "apprentice",
    "学徒制": "apprentice", "创业": "entrepreneurship", "创业培训": "entrepreneurship",
}), "training mode", "培训模式")
DIRECTION = choice(_with_codes({"签到": "in", "签退": "out", "上课签到": "in", "下课签退": "out"}),
                   "check direction", "签到类型")
METHOD = choice(_with_codes({
    "人脸识别": "face", "刷脸": "face", "人脸": "face", "指纹": "fingerprint",
    "指纹识别": "fingerprint", "刷卡": "card", "IC卡": "card", "社保卡": "card",
    "手工": "manual", "手动": "manual", "手工签到": "manual", "补签": "manual",
}), "check-in method", "打卡方式")
DECISION = choice(_with_codes({
    "通过": "approved", "审核通过": "approved", "同意": "approved", "不通过": "rejected",
    "审核不通过": "rejected", "驳回": "rejected", "退回": "rejected", "部分通过": "partial",
}), "review decision", "审核结果")
INSTITUTION_KIND = choice(_with_codes({
    "技工院校": "technical_school", "技工学校": "technical_school", "技师学院": "technical_school",
    "培训中心": "training_center", "公共实训基地": "training_center",
    "职业培训中心": "training_center", "民办职业培训学校": "private_school",
    "民办培训机构": "private_school", "民办学校": "private_school", "企业": "enterprise",
    "企业培训中心": "enterprise", "高等院校": "college", "高校": "college",
    "职业院校": "college",
}), "institution kind", "机构类型")
CLAIMANT_TYPE = choice(_with_codes({
    "机构": "institution", "培训机构": "institution", "企业": "employer", "用人单位": "employer",
    "个人": "person",
}), "claimant type", "申请主体类型")
CLAIM_KIND = choice(_with_codes({
    "培训补贴": "training", "职业培训补贴": "training", "鉴定补贴": "certification",
    "评价补贴": "certification", "职业技能鉴定补贴": "certification",
    "技能评价补贴": "certification", "生活费补贴": "living", "生活补贴": "living",
}), "claim kind", "补贴类型")
LEVEL = choice({
    **{str(n): n for n in range(1, 6)},
    "五级": 5, "初级": 5, "初级工": 5, "五级/初级工": 5,
    "四级": 4, "中级": 4, "中级工": 4, "四级/中级工": 4,
    "三级": 3, "高级": 3, "高级工": 3, "三级/高级工": 3,
    "二级": 2, "技师": 2, "二级/技师": 2,
    "一级": 1, "高级技师": 1, "一级/高级技师": 1,
}, "skill level (5..1)", "技能等级")
YES_NO = choice({"是": True, "否": False, "true": True, "false": False, "yes": True, "no": False,
                 "y": True, "n": False, "1": True, "0": False, "有": True, "无": False,
                 "合格": True, "不合格": False, "通过": True, "不通过": False, "未通过": False,
                 "已参保": True, "未参保": False}, "yes/no", "是/否")

__all__ = ["CATEGORY", "CLAIMANT_TYPE", "CLAIM_KIND", "DECISION", "DIRECTION", "GENDER", "HUKOU",
           "INSTITUTION_KIND", "LEVEL", "METHOD", "MODE", "YES_NO", "Parser"]
