//! What people are told: the kinds of event that need someone's attention, who they go to, and
//! the words of the message for the inbox, an e-mail and a text message. Pure: the use-cases
//! record events (`db::events`), the outbox worker sends them.
use crate::domain::time::date_label;
use crate::domain::workflow::{Named, UnknownName, labelled_enum};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

labelled_enum! {
    /// Something that happened and that someone must hear of.
    pub enum EventKind ("通知事项") {
        CallPublished => "call_published", "申报通知发布",
        ApplicationSubmitted => "application_submitted", "申报提交",
        ApplicationResubmitted => "application_resubmitted", "申报重新提交",
        ApplicationReturned => "application_returned", "申报退回修改",
        ApplicationForwarded => "application_forwarded", "申报报送",
        ApplicationAccepted => "application_accepted", "申报受理",
        ApplicationRejected => "application_rejected", "申报未通过",
        PanelDrawn => "panel_drawn", "评审邀请",
        SheetDueSoon => "sheet_due_soon", "评分即将截止",
        SheetsAllIn => "sheets_all_in", "评审完成",
        Shortlisted => "shortlisted", "列入拟认定名单",
        PublicityPublished => "publicity_published", "公示发布",
        ObjectionFiled => "objection_filed", "收到异议",
        InvestigatorAssigned => "investigator_assigned", "指定异议调查人",
        ObjectionDecided => "objection_decided", "异议办结",
        ObjectionAnswered => "objection_answered", "异议处理结果告知",
        Awarded => "awarded", "认定",
        NotAwarded => "not_awarded", "未予认定",
        ReportDueSoon => "report_due_soon", "报告即将到期",
        ReportOverdue => "report_overdue", "报告逾期",
        ReportReminded => "report_reminded", "催报",
        ReportReturned => "report_returned", "报告退回",
        RectificationOrdered => "rectification_ordered", "责令限期整改",
        RectificationDueSoon => "rectification_due_soon", "整改期限将至",
        Delisted => "delisted", "摘牌",
        Revoked => "revoked", "撤销称号",
        Expired => "expired", "认定到期",
        TitleExpiring90 => "title_expiring_90", "认定有效期90天内届满",
        TitleExpiring30 => "title_expiring_30", "认定有效期30天内届满",
        InspectionToConfirm => "inspection_to_confirm", "现场考核记录待确认",
        InstitutionCommissioned => "institution_commissioned", "委托第三方机构评审",
        ReReviewPanelDrawn => "re_review_panel_drawn", "复评邀请",
    }
}

labelled_enum! {
    /// A way of reaching someone besides the inbox.
    pub enum Channel ("通知渠道") {
        Email => "email", "电子邮件",
        Sms => "sms", "短信",
    }
}

/// Who is told. Users are found by their role and place when the event is recorded; a
/// recipient who is no user (an objector, an expert without an account) by the contact given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every county office and every registered operator of the tenant (a new call).
    CountiesAndOperators,
    /// The county (town) office of a jurisdiction.
    County(i64),
    /// The operator accounts of an organisation.
    Organization(i64),
    /// Every bureau account.
    Bureau,
    /// An expert of the pool: their account, or the pool's mobile number if they have none.
    Expert(i64),
    User(i64),
    Contact {
        channel: Channel,
        address: String,
    },
}

/// Who, of those answering for a park, hears of an event about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkParty {
    Operator,
    County,
    OperatorAndCounty,
    Bureau,
}

/// The "who is told" table for events about one park (an application or an award).
pub fn park_party(kind: EventKind) -> ParkParty {
    use EventKind::*;
    match kind {
        ApplicationSubmitted | ApplicationResubmitted => ParkParty::County,
        ApplicationForwarded | ObjectionFiled | SheetsAllIn => ParkParty::Bureau,
        ReportDueSoon | ReportOverdue | ReportReminded => ParkParty::OperatorAndCounty,
        _ => ParkParty::Operator,
    }
}

/// What the message is about, in the words the texts are built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The bureau that sends it (the tenant's name).
    pub from: String,
    /// The park, call, panel or case it concerns.
    pub subject: String,
    /// Reasons, opinions, what is due — whatever the kind adds.
    pub detail: String,
    pub due: Option<NaiveDate>,
}

/// A message as written for one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub title: String,
    pub body: String,
    /// At most [`SMS_MAX_CHARS`] characters; names only what the recipient already knows.
    pub sms: String,
}

/// One text message's length in Chinese characters (a longer one is split and billed twice).
pub const SMS_MAX_CHARS: usize = 70;

pub fn compose(kind: EventKind, f: &Facts) -> Composed {
    use EventKind::*;
    let s = &f.subject;
    let due = f.due.map(date_label).unwrap_or_else(|| "（未定）".into());
    let detail = |prefix: &str| {
        if f.detail.is_empty() {
            String::new()
        } else {
            format!("{prefix}{}", f.detail)
        }
    };
    let sentence = |prefix: &str| match detail(prefix) {
        d if d.is_empty() => d,
        d => d + "。",
    };
    let (title, body) = match kind {
        CallPublished => (
            format!("新的申报通知：{s}"),
            format!(
                "{}发布了申报通知《{s}》，申报截止日期为{due}。请按通知要求准备并在系统中提交申报材料。",
                f.from
            ),
        ),
        ApplicationSubmitted => (
            format!("待预审：{s}"),
            format!("“{s}”已在系统中提交认定申报，请进行预审并出具推荐意见。"),
        ),
        ApplicationResubmitted => (
            format!("待预审（重新提交）：{s}"),
            format!("“{s}”按退回意见修改后重新提交了认定申报，请再次预审。"),
        ),
        ApplicationReturned => (
            format!("申报被退回修改：{s}"),
            format!(
                "您的申报“{s}”被退回修改。{}请按意见修改后重新提交。",
                sentence("退回意见：")
            ),
        ),
        ApplicationForwarded => (
            format!("待受理：{s}"),
            format!(
                "“{s}”的认定申报已由属地商务主管部门报送，请审核受理。{}",
                detail("属地意见：")
            ),
        ),
        ApplicationAccepted => (
            format!("申报已受理：{s}"),
            format!("您的申报“{s}”已通过市商务局审核受理，将组织专家评审。"),
        ),
        ApplicationRejected => (
            format!("申报未通过审核：{s}"),
            format!("您的申报“{s}”未通过审核。{}", detail("意见：")),
        ),
        PanelDrawn => (
            format!("评审邀请：{s}"),
            format!(
                "您被抽取为“{s}”的评审专家。请于{due}前登录系统确认是否参加；如需回避或不能参加，请在评审任务页面登记谢绝，系统将按抽取规则递补。{}",
                detail("")
            ),
        ),
        SheetDueSoon => (
            format!("评分即将截止：{s}"),
            format!("您在“{s}”中还有未提交的评审表，截止日期为{due}，请尽快完成并提交。"),
        ),
        SheetsAllIn => (
            format!("专家评审已全部完成：{s}"),
            format!("“{s}”的专家评审表已全部提交，可在系统中查看评审结果。"),
        ),
        Shortlisted => (
            format!("已列入拟认定名单：{s}"),
            format!("您的申报“{s}”已列入拟认定名单，将向社会公示。"),
        ),
        PublicityPublished => (
            format!("公示已发布：{s}"),
            format!(
                "{}发布了拟认定名单公示，“{s}”在公示名单中，公示截止日期为{due}。",
                f.from
            ),
        ),
        ObjectionFiled => (
            format!("收到异议：{s}"),
            format!("公示期间收到针对“{s}”的异议，请及时安排调查复审。"),
        ),
        InvestigatorAssigned => (
            format!("异议调查任务：{s}"),
            format!("您被指定为针对“{s}”的异议的调查复审人员，请开展调查并记录调查情况。"),
        ),
        ObjectionDecided => (
            format!("异议已办结：{s}"),
            format!("针对您的园区“{s}”的异议已办结：{}。", f.detail),
        ),
        ObjectionAnswered => (
            "异议处理结果".to_string(),
            format!(
                "您提出的异议（案件号{s}）已办结：{}。可凭案件号在公示页面查询处理说明。",
                f.detail
            ),
        ),
        Awarded => (
            format!("认定结果：{s}已获认定"),
            format!(
                "您的园区“{s}”已通过认定。{}可在系统中查看认定证书。",
                detail("")
            ),
        ),
        NotAwarded => (
            format!("认定结果：{s}未予认定"),
            format!("您的园区“{s}”未予认定。{}", detail("理由：")),
        ),
        ReportDueSoon => (
            format!("报告即将到期：{s}"),
            format!("“{s}”的{}应于{due}前报送，请按时填报。", f.detail),
        ),
        ReportOverdue => (
            format!("报告已逾期：{s}"),
            format!("“{s}”的{}已超过报送期限（{due}），请尽快报送。", f.detail),
        ),
        ReportReminded => (
            format!("催报：{s}"),
            format!("{}催报“{s}”的{}，请尽快报送。", f.from, f.detail),
        ),
        ReportReturned => (
            format!("报告被退回：{s}"),
            format!(
                "您报送的“{s}”的报告被退回。{}请修改后重新报送。",
                sentence("退回意见：")
            ),
        ),
        RectificationOrdered => (
            format!("限期整改通知：{s}"),
            format!(
                "您的园区“{s}”被责令限期整改，整改期限至{due}。{}",
                detail("整改要求：")
            ),
        ),
        RectificationDueSoon => (
            format!("整改期限将至：{s}"),
            format!("园区“{s}”的整改期限为{due}，请按期提交整改情况报告。"),
        ),
        Delisted => (
            format!("摘牌通知：{s}"),
            format!("您的园区“{s}”已被摘牌。{}", detail("理由：")),
        ),
        Revoked => (
            format!("撤销认定通知：{s}"),
            format!("您的园区“{s}”的认定称号已被撤销。{}", detail("理由：")),
        ),
        Expired => (
            format!("认定已到期：{s}"),
            format!("您的园区“{s}”的认定有效期已于{due}届满。"),
        ),
        InspectionToConfirm => (
            format!("现场考核记录待确认：{s}"),
            format!("您参加的“{s}”现场考核，考核记录已提交，请登录系统核对后确认。"),
        ),
        InstitutionCommissioned => (
            format!("委托评审：{s}"),
            format!(
                "{}委托贵机构评审“{s}”的认定申报。请登录系统查阅申报材料，出具评审意见并上传加盖公章的评审报告。",
                f.from
            ),
        ),
        ReReviewPanelDrawn => (
            format!("复评邀请：{s}"),
            format!(
                "您被抽取为“{s}”的复评专家。请登录系统，对各园区的现状提出复评意见；如需回避，请在复评意见页面声明。{}",
                detail("")
            ),
        ),
        TitleExpiring90 | TitleExpiring30 => (
            format!("认定有效期将届满：{s}"),
            format!(
                "您的园区“{s}”的认定有效期将于{due}届满（{}天内）。",
                if kind == TitleExpiring90 { 90 } else { 30 }
            ),
        ),
    };
    let sms = sms_text(&f.from, &title);
    Composed { title, body, sms }
}

/// "【温州市商务局】待预审：某园区，请登录系统查看。", cut to one message.
fn sms_text(from: &str, title: &str) -> String {
    let tail = "，请登录系统查看。";
    let head = format!("【{from}】");
    let room = SMS_MAX_CHARS.saturating_sub(head.chars().count() + tail.chars().count());
    let mut cut: String = title.chars().take(room).collect();
    if title.chars().count() > room {
        cut.pop();
        cut.push('…');
    }
    format!("{head}{cut}{tail}")
}

/// How an objector's contact is reached: a mobile number by SMS, an address by e-mail.
pub fn channel_of_contact(contact: &str) -> Channel {
    if contact.contains('@') {
        Channel::Email
    } else {
        Channel::Sms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(subject: &str, detail: &str) -> Facts {
        Facts {
            from: "温州市商务局".into(),
            subject: subject.into(),
            detail: detail.into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 10),
        }
    }

    #[test]
    fn a_return_carries_its_reasons_and_the_park() {
        let m = compose(
            EventKind::ApplicationReturned,
            &facts("鹿城跨境电商园", "缺少产权证明"),
        );
        assert_eq!(m.title, "申报被退回修改：鹿城跨境电商园");
        assert!(m.body.contains("退回意见：缺少产权证明。"), "{}", m.body);
    }

    #[test]
    fn a_due_date_reads_as_a_notice_writes_it() {
        let m = compose(EventKind::SheetDueSoon, &facts("第一评审组", ""));
        assert!(m.body.contains("2026年12月10日"), "{}", m.body);
    }

    #[test]
    fn every_text_message_fits_one_sms_and_names_the_sender() {
        let long = "某".repeat(120);
        for &kind in EventKind::ALL {
            let m = compose(kind, &facts(&long, &long));
            assert!(m.sms.chars().count() <= SMS_MAX_CHARS, "{kind}: {}", m.sms);
            assert!(m.sms.starts_with("【温州市商务局】"), "{kind}");
            assert!(!m.sms.contains(&long), "{kind} carries the detail");
        }
    }

    #[test]
    fn an_objector_hears_the_case_number_not_the_park() {
        let m = compose(
            EventKind::ObjectionAnswered,
            &facts("ABCDEF123456", "异议不成立"),
        );
        assert!(m.sms.contains("异议处理结果"));
        assert!(m.body.contains("ABCDEF123456") && m.body.contains("异议不成立"));
    }

    #[test]
    fn a_contact_with_an_at_sign_is_mailed_and_a_number_texted() {
        assert_eq!(channel_of_contact("a@example.com"), Channel::Email);
        assert_eq!(channel_of_contact("13800138000"), Channel::Sms);
    }
}
