//! The Chinese names of the codes the audit trail stores (object kinds, actions, the fields of a
//! change), so that no page shows an official `sign_in` or `close_publicity`. The workflow
//! machines name their own actions and states; this adds everything else that is audited.
use super::workflow::{
    ApplicationAction, ApplicationState, CallAction, CallState, InspectionAction, InspectionState,
    InstitutionReviewAction, InstitutionReviewState, NoticeAction, NoticeState, ObjectionAction,
    ObjectionState, PanelAction, PanelState, RectificationAction, RectificationState, ReportAction,
    ReportState, RuleDraftAction, RuleDraftState, SheetAction, SheetState,
};

/// The kinds of object the trail records, with their names.
pub const OBJECT_KINDS: &[(&str, &str)] = &[
    ("account_lock", "账号锁定"),
    ("application", "申报"),
    ("assignment", "评审任务"),
    ("audit_export", "审计记录导出"),
    ("award", "认定"),
    ("calendar", "工作日历"),
    ("delivery", "通知发送记录"),
    ("call", "申报通知"),
    ("crypto_key", "密钥"),
    ("expert", "专家"),
    ("expert_pool", "专家库"),
    ("inspection", "现场考核"),
    ("institution", "第三方评审机构"),
    ("institution_review", "第三方机构评审"),
    ("jurisdiction", "属地主管部门"),
    ("monitoring", "监测结果"),
    ("monitoring_settings", "动态管理设置"),
    ("objection", "异议"),
    ("organization", "运营管理机构"),
    ("panel", "评审小组"),
    ("periodic_report", "定期报告"),
    ("publicity", "公示"),
    ("re_review", "复评"),
    ("re_review_park", "复评园区"),
    ("re_review_sheet", "复评意见"),
    ("rectification_order", "整改通知"),
    ("report_reminder", "催报"),
    ("rule_set_draft", "规则草稿"),
    ("rule_set_version", "规则集版本"),
    ("security_policy", "安全策略"),
    ("tenant", "租户"),
    ("title", "称号"),
    ("user", "账号"),
    ("zone_targets", "综试区目标"),
];

/// Actions that are not a machine's transition: edits, administration, sign-in.
const OTHER_ACTIONS: &[(&str, &str)] = &[
    ("activate", "启用"),
    ("add_photo", "上传现场照片"),
    ("add_roster_row", "添加名录企业"),
    ("adopt", "采用"),
    ("assign", "委托评审"),
    ("attach_document", "上传材料"),
    ("change_password", "修改密码"),
    ("close", "关闭"),
    ("confirm", "确认"),
    ("create", "创建"),
    ("deactivate", "停用"),
    ("decide", "作出决定"),
    ("declare_conflict", "申明回避"),
    ("delete_roster_row", "删除名录企业"),
    ("detach_document", "移除材料"),
    ("disable_totp", "关闭两步验证"),
    ("draw", "抽取专家"),
    ("edit_roster_row", "修改名录企业"),
    ("enable_totp", "开启两步验证"),
    ("end_session", "结束会话"),
    ("evaluate", "监测评估"),
    ("expiry_notice", "到期提醒"),
    ("export", "导出"),
    ("file", "提出"),
    ("import", "导入"),
    ("import_roster", "导入企业名录"),
    ("open", "发起"),
    ("open_account", "开通账号"),
    ("outlier_reason", "说明离群评分理由"),
    ("paper_entry", "录入纸质评分表"),
    ("prereview", "记录初审意见（待统一报送）"),
    ("provincial_award", "省级名单直接认定"),
    ("register", "注册"),
    ("remind", "催报"),
    ("reopen", "退回重评"),
    ("replace_member", "替换专家"),
    ("respond", "提交整改报告"),
    ("retry", "重新发送"),
    ("revocation_ground", "记录撤销事由"),
    ("rotate", "轮换密钥"),
    ("save_draft", "保存草稿"),
    ("save_rules", "保存规则草稿"),
    ("save_record", "保存考核记录"),
    ("save_sheet", "保存评分表"),
    ("schedule", "安排现场考核"),
    ("set_active", "启用/停用"),
    ("set_channels", "修改通知方式"),
    ("sign_in", "登录"),
    ("submit_paper_sheet", "代录纸质评分表并提交"),
    ("submit_sheet", "提交评审意见"),
    ("unlock", "解除锁定"),
    ("update", "修改"),
    ("verdict", "验收"),
];

/// The name of an object kind, if it is one the trail records.
pub fn object_kind_label(kind: &str) -> Option<&'static str> {
    OBJECT_KINDS
        .iter()
        .find(|(code, _)| *code == kind)
        .map(|(_, label)| *label)
}

/// The name of an action on an object of `kind`: the machine's own name for a transition,
/// else the name of an edit or administrative act.
pub fn action_label(kind: &str, action: &str) -> Option<&'static str> {
    let machine = match kind {
        "call" => action.parse::<CallAction>().ok().map(CallAction::label),
        "application" | "title" => action
            .parse::<ApplicationAction>()
            .ok()
            .map(ApplicationAction::label),
        "objection" => action
            .parse::<ObjectionAction>()
            .ok()
            .map(ObjectionAction::label),
        "periodic_report" => action.parse::<ReportAction>().ok().map(ReportAction::label),
        "rectification_order" => action
            .parse::<RectificationAction>()
            .ok()
            .map(RectificationAction::label),
        "panel" => action.parse::<PanelAction>().ok().map(PanelAction::label),
        "assignment" | "re_review_sheet" => {
            action.parse::<SheetAction>().ok().map(SheetAction::label)
        }
        "inspection" => action
            .parse::<InspectionAction>()
            .ok()
            .map(InspectionAction::label),
        "institution_review" => action
            .parse::<InstitutionReviewAction>()
            .ok()
            .map(InstitutionReviewAction::label),
        "publicity" => action.parse::<NoticeAction>().ok().map(NoticeAction::label),
        "rule_set_draft" => action
            .parse::<RuleDraftAction>()
            .ok()
            .map(RuleDraftAction::label),
        _ => None,
    };
    machine.or_else(|| any_action_label(action))
}

/// The name of an action whatever its object (for the filter, which lists actions alone).
pub fn any_action_label(action: &str) -> Option<&'static str> {
    OTHER_ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map(|(_, label)| *label)
        .or_else(|| action.parse::<ApplicationAction>().ok().map(|a| a.label()))
        .or_else(|| action.parse::<CallAction>().ok().map(|a| a.label()))
        .or_else(|| action.parse::<ObjectionAction>().ok().map(|a| a.label()))
        .or_else(|| action.parse::<ReportAction>().ok().map(|a| a.label()))
        .or_else(|| action.parse::<InspectionAction>().ok().map(|a| a.label()))
        .or_else(|| action.parse::<RuleDraftAction>().ok().map(|a| a.label()))
        .or_else(|| {
            action
                .parse::<InstitutionReviewAction>()
                .ok()
                .map(|a| a.label())
        })
        .or_else(|| {
            action
                .parse::<RectificationAction>()
                .ok()
                .map(|a| a.label())
        })
}

/// The name of a state of an object of `kind` (machines share some names: an open call and an
/// open rectification order are different things).
pub fn state_label_of(kind: &str, state: &str) -> Option<&'static str> {
    match kind {
        "rectification_order" => state.parse::<RectificationState>().ok().map(|s| s.label()),
        "periodic_report" => state.parse::<ReportState>().ok().map(|s| s.label()),
        "objection" => state.parse::<ObjectionState>().ok().map(|s| s.label()),
        "call" => state.parse::<CallState>().ok().map(|s| s.label()),
        "panel" => state.parse::<PanelState>().ok().map(|s| s.label()),
        "assignment" | "re_review_sheet" => state.parse::<SheetState>().ok().map(|s| s.label()),
        "inspection" => state.parse::<InspectionState>().ok().map(|s| s.label()),
        "institution_review" => state
            .parse::<InstitutionReviewState>()
            .ok()
            .map(|s| s.label()),
        "publicity" => state.parse::<NoticeState>().ok().map(|s| s.label()),
        "rule_set_draft" => state.parse::<RuleDraftState>().ok().map(|s| s.label()),
        _ => None,
    }
    .or_else(|| state_label(state))
}

/// The name of a state, whichever machine it belongs to.
pub fn state_label(state: &str) -> Option<&'static str> {
    state
        .parse::<ApplicationState>()
        .map(|s| s.label())
        .or_else(|_| state.parse::<CallState>().map(|s| s.label()))
        .or_else(|_| state.parse::<ObjectionState>().map(|s| s.label()))
        .or_else(|_| state.parse::<ReportState>().map(|s| s.label()))
        .or_else(|_| state.parse::<RectificationState>().map(|s| s.label()))
        .ok()
}

/// The fields a change records most often, by name.
const FIELDS: &[(&str, &str)] = &[
    ("state", "状态"),
    ("reason", "理由"),
    ("seq", "编号"),
    ("number", "编号"),
    ("park", "园区"),
    ("case_no", "案件编号"),
    ("application_id", "申报编号"),
    ("applications", "申报"),
    ("organization_id", "运营管理机构编号"),
    ("evidence", "证据材料"),
    ("basis", "依据"),
    ("published_on", "发布日期"),
    ("first_day", "公示首日"),
    ("last_day", "公示末日"),
    ("title", "标题"),
    ("login", "登录名"),
    ("role", "角色"),
    ("display_name", "姓名"),
    ("filename", "文件名"),
    ("kind", "类别"),
    ("seed", "随机种子"),
    ("members", "专家"),
    ("deadline", "截止时间"),
    ("version", "版本"),
    ("status", "结果"),
    ("findings", "问题"),
    ("grace_until", "宽限至"),
    ("period", "期次"),
    ("year", "年度"),
    ("decision", "决定"),
    ("comments", "意见"),
    ("active", "启用"),
    ("name", "名称"),
];

/// The name of a recorded field, if it is a common one.
pub fn field_label(key: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(code, _)| *code == key)
        .map(|(_, label)| *label)
}

/// The engine's summary in words.
pub fn verdict_label(evaluation: &crate::domain::evaluate::Evaluation) -> &'static str {
    use crate::domain::evaluate::Verdict;
    match evaluation.verdict {
        Verdict::Vetoed => "存在一票否决事项",
        Verdict::NotEligible => "尚有不符合的认定条件",
        Verdict::NeedsAttestation => "量化条件均符合，待人工确认其余条件",
        Verdict::Recommend => "全部条件符合",
    }
}

/// The state as people say it: a draft that was submitted before has been returned.
pub fn application_state_label(state: &str, version_count: i32) -> &'static str {
    match state.parse::<crate::domain::workflow::ApplicationState>() {
        Ok(crate::domain::workflow::ApplicationState::Draft) if version_count > 0 => "已退回修改",
        Ok(s) => s.label(),
        Err(_) => "未知",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_machine_action_and_the_audited_acts_have_a_chinese_name() {
        assert_eq!(
            action_label("application", "close_publicity"),
            Some("结束公示")
        );
        assert_eq!(action_label("user", "sign_in"), Some("登录"));
        assert_eq!(
            action_label("periodic_report", "county_pass"),
            Some("审核通过")
        );
        assert_eq!(object_kind_label("periodic_report"), Some("定期报告"));
        assert_eq!(action_label("assignment", "withdraw"), Some("撤回评分表"));
        assert_eq!(state_label_of("publicity", "closed"), Some("公示期满"));
        assert_eq!(state_label("in_publicity"), Some("公示中"));
        for (code, label) in OTHER_ACTIONS.iter().chain(OBJECT_KINDS).chain(FIELDS) {
            assert!(!code.is_empty() && !label.is_ascii(), "{code}");
        }
    }
}
