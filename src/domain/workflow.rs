//! The workflow state machines of DOMAIN.md §3 (calls, applications, objections) and of every
//! other object with a state: reports, rectification orders, panels, sheets, publicity notices.
//!
//! Pure: every state change in the product is decided here and only persisted elsewhere (the
//! database layer wraps a decision and its audit entry in one transaction). Each machine is a
//! function `next_*_state(from, action, actor, ..) -> Result<to, TransitionError>` plus
//! `allowed_*_actions(state, actor, ..)`, which is defined in terms of the former so that pages
//! never show a button that would fail.
//!
//! Choices where §3 leaves room (documented again where they are encoded):
//! - Permission is a property of the action alone, never of the state, so a role that may never
//!   perform an action gets 403 whatever the state; only then is the state checked (409).
//! - Time- and count-driven steps (a call's deadline, completion of review, the end of the
//!   publicity window, the end of validity) belong to [`Actor::System`], not to a person: nobody
//!   can close publicity early or declare a park expired by hand.
//! - Every application outcome other than `awarded`/`rectification` is terminal (rejected,
//!   not_awarded, disqualified, delisted, revoked, expired): the regulations answer each of them
//!   with a new application in a later call, never by reopening the old one, and the audit trail
//!   stays a simple path. A fact discovered later (e.g. falsified materials behind a title that was
//!   already delisted, Zhongshan 第十二条's 3-year bar) is recorded against the operator, not by
//!   moving a terminal application.
//! - Objections are decided only after investigation (`filed → investigating`), as §3 draws it;
//!   the investigation may be brief, but it gives the case page a visible "being handled" step.
use crate::domain::role::Role;
use crate::domain::ruleset::RuleSet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stored name that is not one of the enum's names (a corrupt row or a bad form value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{kind}：{value}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub value: String,
}

/// A state or action known by its stored name (every [`labelled_enum!`] is one), so that code
/// generic over machines (the transition function) can write and audit it.
pub trait Named: Copy {
    fn name(self) -> &'static str;
}

/// An enum stored by its snake_case name, shown by its Chinese label. Serde uses the same names
/// as `as_str` (checked by a test) so JSON and DB columns agree.
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal, $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name stored in the database and the audit log.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The name officials see on pages.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }

        impl Named for $name {
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownName { kind: $kind, value: s.to_string() })
            }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum! {
    /// A call for applications (申报通知).
    pub enum CallState ("申报通知状态") {
        Draft => "draft", "草稿",
        Open => "open", "申报中",
        Closed => "closed", "已截止",
        Reviewing => "reviewing", "评审中",
        Publicity => "publicity", "公示中",
        Concluded => "concluded", "已办结",
    }
}

labelled_enum! {
    pub enum CallAction ("申报通知操作") {
        Publish => "publish", "发布申报通知",
        Close => "close", "截止申报",
        StartReview => "start_review", "开始评审",
        StartPublicity => "start_publicity", "开始公示",
        Conclude => "conclude", "办结",
    }
}

labelled_enum! {
    /// One park's application to one call, from its first draft to the end of its title.
    pub enum ApplicationState ("申报状态") {
        Draft => "draft", "草稿",
        Submitted => "submitted", "已提交",
        Forwarded => "forwarded", "已报送",
        InReview => "in_review", "评审中",
        Reviewed => "reviewed", "已评审",
        Shortlisted => "shortlisted", "入围",
        InPublicity => "in_publicity", "公示中",
        PublicityClosed => "publicity_closed", "公示结束",
        Awarded => "awarded", "已认定",
        NotAwarded => "not_awarded", "未予认定",
        Rejected => "rejected", "未通过",
        Disqualified => "disqualified", "取消资格",
        Rectification => "rectification", "整改中",
        Delisted => "delisted", "已摘牌",
        Revoked => "revoked", "已撤销",
        Expired => "expired", "已到期",
    }
}

labelled_enum! {
    pub enum ApplicationAction ("申报操作") {
        Submit => "submit", "提交",
        Return => "return", "退回修改",
        /// The county's opinion (recommend or not) travels with it; both forward.
        Forward => "forward", "报送",
        Accept => "accept", "受理",
        Reject => "reject", "不予通过",
        CompleteReview => "complete_review", "完成评审",
        ReopenReview => "reopen_review", "重新开放评分",
        Shortlist => "shortlist", "列入拟认定名单",
        PublishPublicity => "publish_publicity", "发布公示",
        ClosePublicity => "close_publicity", "结束公示",
        Award => "award", "认定",
        NotAward => "not_award", "不予认定",
        Disqualify => "disqualify", "取消资格",
        OrderRectification => "order_rectification", "责令限期整改",
        AcceptRectification => "accept_rectification", "整改验收通过",
        Delist => "delist", "摘牌",
        Revoke => "revoke", "撤销称号",
        Expire => "expire", "认定到期",
        /// The rectification deadline passed with no accepted response (温州 第八条: 整改不到位的
        /// 予以摘牌): the system's, by the deadline, not a person's.
        DelistLapsed => "delist_lapsed", "整改逾期摘牌",
    }
}

labelled_enum! {
    /// An objection (异议) filed by anyone during publicity.
    pub enum ObjectionState ("异议状态") {
        Filed => "filed", "已提出",
        Investigating => "investigating", "调查复审中",
        Upheld => "upheld", "异议成立",
        Dismissed => "dismissed", "异议不成立",
    }
}

labelled_enum! {
    pub enum ObjectionAction ("异议操作") {
        Investigate => "investigate", "调查复审",
        Uphold => "uphold", "认定异议成立",
        Dismiss => "dismiss", "认定异议不成立",
    }
}

/// Who performs a transition: a signed-in user acting in their role, or the platform itself for
/// transitions driven by the clock or by counts (deadline, all reviews in, window end, expiry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    User(Role),
    System,
}

impl Actor {
    pub const ALL: [Actor; 8] = [
        Actor::User(Role::Operator),
        Actor::User(Role::County),
        Actor::User(Role::Expert),
        Actor::User(Role::Bureau),
        Actor::User(Role::SysAdmin),
        Actor::User(Role::SecAdmin),
        Actor::User(Role::AuditAdmin),
        Actor::System,
    ];

    /// The name recorded in the audit log: the role's name, or `system`.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::User(role) => role.as_str(),
            Actor::System => "system",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Actor::User(role) => role.label(),
            Actor::System => "系统",
        }
    }

    pub fn role(self) -> Option<Role> {
        match self {
            Actor::User(role) => Some(role),
            Actor::System => None,
        }
    }
}

impl From<Role> for Actor {
    fn from(role: Role) -> Self {
        Actor::User(role)
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Actor {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "system" {
            return Ok(Actor::System);
        }
        s.parse::<Role>().map(Actor::User).map_err(|_| UnknownName {
            kind: "操作者",
            value: s.to_string(),
        })
    }
}

/// Why a transition was refused. Every message is for the user; [`Refusal`] says what kind of
/// refusal it is, for the layer that answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The actor may never perform this action (HTTP 403).
    #[error("“{}”无权执行“{action_label}”", .actor.label())]
    Forbidden {
        actor: Actor,
        action: &'static str,
        action_label: &'static str,
    },
    /// The action does not apply to the current state (HTTP 409).
    #[error("当前状态为“{state_label}”，不能执行“{action_label}”")]
    InvalidState {
        state: &'static str,
        state_label: &'static str,
        action: &'static str,
        action_label: &'static str,
    },
    /// The action must carry a non-empty reason (HTTP 422).
    #[error("执行“{action_label}”须填写理由")]
    ReasonRequired {
        action: &'static str,
        action_label: &'static str,
    },
    /// Not every assigned reviewer has submitted (HTTP 409).
    #[error("评审专家已提交{submitted}/{assigned}份评审意见，评审尚未完成")]
    ReviewIncomplete { assigned: usize, submitted: usize },
    /// An objection is still open: it holds the park in `publicity_closed` (HTTP 409).
    #[error("尚有{0}件异议未办结，不能执行“认定”")]
    ObjectionsUndecided(usize),
    /// An upheld objection means the park is not awarded (HTTP 409).
    #[error("有{0}件异议成立，不能执行“认定”，应不予认定")]
    ObjectionUpheld(usize),
    /// `not_award` follows only from an upheld objection (HTTP 409).
    #[error("没有成立的异议，不能执行“不予认定”")]
    NoObjectionUpheld,
}

/// What kind of refusal a transition error is, for whoever reports it (the web layer maps it
/// to a status; the domain knows nothing of HTTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The actor may not take this action.
    NotAllowed,
    /// Something the action needs was not given (a reason).
    Incomplete,
    /// The object's state does not allow it now.
    Conflict,
}

impl TransitionError {
    pub fn refusal(&self) -> Refusal {
        match self {
            TransitionError::Forbidden { .. } => Refusal::NotAllowed,
            TransitionError::ReasonRequired { .. } => Refusal::Incomplete,
            TransitionError::InvalidState { .. }
            | TransitionError::ReviewIncomplete { .. }
            | TransitionError::ObjectionsUndecided(_)
            | TransitionError::ObjectionUpheld(_)
            | TransitionError::NoObjectionUpheld => Refusal::Conflict,
        }
    }
}

/// What a tenant's rule set changes about the after-award machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct WorkflowRules {
    /// Awards expire at the end of a validity term (wenzhou-2021: 3 years, 第八条).
    pub validity_term: bool,
    /// A failed re-review may delist an awarded park without ordering rectification first
    /// (zhongshan-2022 第十一条 "限期整改或取消资格"; Wenzhou 第八条 requires rectification first).
    pub delist_without_rectification: bool,
}

/// Templates whose regulation allows delisting without rectification. `RuleSet` has no field for
/// this yet, so the template id decides; a tenant's copy keeps its template's id.
const DELIST_WITHOUT_RECTIFICATION_TEMPLATES: &[&str] = &["zhongshan-2022"];

impl WorkflowRules {
    pub fn for_rule_set(rule_set: &RuleSet) -> Self {
        WorkflowRules {
            validity_term: rule_set.validity_years.is_some(),
            delist_without_rectification: DELIST_WITHOUT_RECTIFICATION_TEMPLATES
                .contains(&rule_set.id.as_str()),
        }
    }
}

const BUREAU: Actor = Actor::User(Role::Bureau);
const COUNTY: Actor = Actor::User(Role::County);
const OPERATOR: Actor = Actor::User(Role::Operator);
const SYSTEM: Actor = Actor::System;
const EXPERT: Actor = Actor::User(Role::Expert);

fn check_actor(
    permitted: &[Actor],
    actor: Actor,
    action: &'static str,
    action_label: &'static str,
) -> Result<(), TransitionError> {
    if permitted.contains(&actor) {
        Ok(())
    } else {
        Err(TransitionError::Forbidden {
            actor,
            action,
            action_label,
        })
    }
}

fn invalid_state(
    state: &'static str,
    state_label: &'static str,
    action: &'static str,
    action_label: &'static str,
) -> TransitionError {
    TransitionError::InvalidState {
        state,
        state_label,
        action,
        action_label,
    }
}

fn check_reason(
    required: bool,
    reason: Option<&str>,
    action: &'static str,
    action_label: &'static str,
) -> Result<(), TransitionError> {
    if required && reason.is_none_or(|r| r.trim().is_empty()) {
        Err(TransitionError::ReasonRequired {
            action,
            action_label,
        })
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Calls

impl CallAction {
    /// The deadline closes a call, so closing is the system's; the rest are the bureau's.
    pub fn permitted_actors(self) -> &'static [Actor] {
        match self {
            CallAction::Close => &[SYSTEM],
            CallAction::Publish
            | CallAction::StartReview
            | CallAction::StartPublicity
            | CallAction::Conclude => &[BUREAU],
        }
    }
}

impl CallState {
    pub fn is_terminal(self) -> bool {
        self == CallState::Concluded
    }

    /// Applications may be submitted only while the call is open (the caller also checks the
    /// deadline: between the deadline and the system closing the call, it is still `open`).
    pub fn accepts_submissions(self) -> bool {
        self == CallState::Open
    }
}

pub fn next_call_state(
    from: CallState,
    action: CallAction,
    actor: Actor,
) -> Result<CallState, TransitionError> {
    use CallAction as A;
    use CallState as S;
    check_actor(
        action.permitted_actors(),
        actor,
        action.as_str(),
        action.label(),
    )?;
    match (from, action) {
        (S::Draft, A::Publish) => Ok(S::Open),
        (S::Open, A::Close) => Ok(S::Closed),
        (S::Closed, A::StartReview) => Ok(S::Reviewing),
        (S::Reviewing, A::StartPublicity) => Ok(S::Publicity),
        (S::Publicity, A::Conclude) => Ok(S::Concluded),
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}

pub fn allowed_call_actions(state: CallState, actor: Actor) -> Vec<CallAction> {
    CallAction::ALL
        .iter()
        .copied()
        .filter(|&a| next_call_state(state, a, actor).is_ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Applications

impl ApplicationAction {
    /// Who may ever perform the action. The bureau, not the county, disqualifies and rejects:
    /// a county that finds a veto says so in a "不予推荐" opinion and forwards it. Returning is
    /// open to both the county and the bureau (product choice, §3).
    pub fn permitted_actors(self) -> &'static [Actor] {
        use ApplicationAction as A;
        match self {
            A::Submit => &[OPERATOR],
            A::Return => &[COUNTY, BUREAU],
            A::Forward => &[COUNTY],
            A::CompleteReview | A::ClosePublicity | A::Expire | A::DelistLapsed => &[SYSTEM],
            A::Accept
            | A::Reject
            | A::ReopenReview
            | A::Shortlist
            | A::PublishPublicity
            | A::Award
            | A::NotAward
            | A::Disqualify
            | A::OrderRectification
            | A::AcceptRectification
            | A::Delist
            | A::Revoke => &[BUREAU],
        }
    }

    /// Actions that must record why (the operator reads it; a court may too). The caller checks
    /// the reason with [`check_application_reason`].
    pub fn requires_reason(self) -> bool {
        use ApplicationAction as A;
        matches!(
            self,
            A::Return
                | A::Reject
                | A::ReopenReview
                | A::NotAward
                | A::Disqualify
                | A::OrderRectification
                | A::Delist
                | A::Revoke
        )
    }
}

/// See [`ApplicationAction::requires_reason`].
pub fn requires_reason(action: ApplicationAction) -> bool {
    action.requires_reason()
}

/// Refuses a missing or blank reason for an action that requires one.
pub fn check_application_reason(
    action: ApplicationAction,
    reason: Option<&str>,
) -> Result<(), TransitionError> {
    check_reason(
        action.requires_reason(),
        reason,
        action.as_str(),
        action.label(),
    )
}

impl ApplicationState {
    /// No action leads out of these states; see the module documentation for why each outcome
    /// other than the title itself is final.
    pub fn is_terminal(self) -> bool {
        use ApplicationState as S;
        matches!(
            self,
            S::NotAwarded | S::Rejected | S::Disqualified | S::Delisted | S::Revoked | S::Expired
        )
    }

    /// The park holds the title (and appears on the public register): a park under
    /// rectification keeps it until delisted.
    pub fn holds_title(self) -> bool {
        matches!(
            self,
            ApplicationState::Awarded | ApplicationState::Rectification
        )
    }

    /// The states "before awarded" of §3, from which a veto disqualifies. `draft` is included: a
    /// returned application is a draft again, and a veto found then must still end it.
    pub fn is_before_award(self) -> bool {
        use ApplicationState as S;
        matches!(
            self,
            S::Draft
                | S::Submitted
                | S::Forwarded
                | S::InReview
                | S::Reviewed
                | S::Shortlisted
                | S::InPublicity
                | S::PublicityClosed
        )
    }
}

/// The application machine of DOMAIN.md §3. Checks the actor first (403), then the state (409).
/// Preconditions that need data the machine does not hold are separate functions the caller runs
/// in the same transaction: [`check_review_complete`] before `complete_review`,
/// [`check_award_precondition`] before `award`, [`check_not_award_precondition`] before
/// `not_award`, and [`check_application_reason`] for every action.
pub fn next_application_state(
    from: ApplicationState,
    action: ApplicationAction,
    actor: Actor,
    rules: &WorkflowRules,
) -> Result<ApplicationState, TransitionError> {
    use ApplicationAction as A;
    use ApplicationState as S;
    check_actor(
        action.permitted_actors(),
        actor,
        action.as_str(),
        action.label(),
    )?;
    let to = match (from, action) {
        (S::Draft, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::Return) => Some(S::Draft),
        // The bureau's formal check of a forwarded application may send it back (issue 4); the
        // county, having forwarded, has said its word.
        (S::Forwarded, A::Return) if actor == BUREAU => Some(S::Draft),
        (S::Submitted, A::Forward) => Some(S::Forwarded),
        (S::Forwarded, A::Accept) => Some(S::InReview),
        (S::Forwarded | S::Reviewed, A::Reject) => Some(S::Rejected),
        (S::InReview, A::CompleteReview) => Some(S::Reviewed),
        (S::Reviewed, A::Shortlist) => Some(S::Shortlisted),
        // A submitted score found wrong before the decision (product choice: the bureau reopens
        // one expert's sheet with a logged reason, and the application waits for it again).
        (S::Reviewed, A::ReopenReview) => Some(S::InReview),
        (S::Shortlisted, A::PublishPublicity) => Some(S::InPublicity),
        (S::InPublicity, A::ClosePublicity) => Some(S::PublicityClosed),
        (S::PublicityClosed, A::Award) => Some(S::Awarded),
        (S::PublicityClosed, A::NotAward) => Some(S::NotAwarded),
        (s, A::Disqualify) if s.is_before_award() => Some(S::Disqualified),
        (S::Awarded, A::OrderRectification) => Some(S::Rectification),
        (S::Rectification, A::AcceptRectification) => Some(S::Awarded),
        (S::Rectification, A::Delist | A::DelistLapsed) => Some(S::Delisted),
        (S::Awarded, A::Delist) if rules.delist_without_rectification => Some(S::Delisted),
        (S::Awarded | S::Rectification, A::Revoke) => Some(S::Revoked),
        (S::Awarded | S::Rectification, A::Expire) if rules.validity_term => Some(S::Expired),
        _ => None,
    };
    to.ok_or_else(|| invalid_state(from.as_str(), from.label(), action.as_str(), action.label()))
}

/// The actions that would succeed now, in a fixed order: the buttons a page may show.
pub fn allowed_application_actions(
    state: ApplicationState,
    actor: Actor,
    rules: &WorkflowRules,
) -> Vec<ApplicationAction> {
    ApplicationAction::ALL
        .iter()
        .copied()
        .filter(|&a| next_application_state(state, a, actor, rules).is_ok())
        .collect()
}

/// Review completes when every assigned reviewer (experts who declared a conflict are not
/// assigned) has submitted; a panel of nobody has not reviewed anything.
pub fn check_review_complete(assigned: usize, submitted: usize) -> Result<(), TransitionError> {
    if assigned > 0 && submitted >= assigned {
        Ok(())
    } else {
        Err(TransitionError::ReviewIncomplete {
            assigned,
            submitted,
        })
    }
}

/// An award needs every objection on the application dismissed (温州 第六条（六）, 中山 第八条
/// （五）): none still filed or under investigation, none upheld.
pub fn check_award_precondition(undecided: usize, upheld: usize) -> Result<(), TransitionError> {
    if undecided > 0 {
        Err(TransitionError::ObjectionsUndecided(undecided))
    } else if upheld > 0 {
        Err(TransitionError::ObjectionUpheld(upheld))
    } else {
        Ok(())
    }
}

/// `not_award` is the consequence of an upheld objection (温州 第六条（五）, 中山 第八条（四）), not
/// a free decision: a park with no upheld objection is awarded or, for a veto, disqualified.
pub fn check_not_award_precondition(upheld: usize) -> Result<(), TransitionError> {
    if upheld > 0 {
        Ok(())
    } else {
        Err(TransitionError::NoObjectionUpheld)
    }
}

// ---------------------------------------------------------------------------------------------
// Objections

impl ObjectionAction {
    pub fn permitted_actors(self) -> &'static [Actor] {
        &[BUREAU]
    }

    /// A decision tells the objector, who follows the case by its number, why.
    pub fn requires_reason(self) -> bool {
        matches!(self, ObjectionAction::Uphold | ObjectionAction::Dismiss)
    }
}

pub fn check_objection_reason(
    action: ObjectionAction,
    reason: Option<&str>,
) -> Result<(), TransitionError> {
    check_reason(
        action.requires_reason(),
        reason,
        action.as_str(),
        action.label(),
    )
}

impl ObjectionState {
    pub fn is_terminal(self) -> bool {
        matches!(self, ObjectionState::Upheld | ObjectionState::Dismissed)
    }

    /// Still holds its park in `publicity_closed`.
    pub fn is_undecided(self) -> bool {
        !self.is_terminal()
    }
}

/// The label of filing used in refusals; filing creates an objection rather than moving one.
const FILE_OBJECTION: (&str, &str) = ("file_objection", "提出异议");

/// An objection can be filed (by anyone, signed in or not) only against an application in
/// publicity; the caller also checks the clock against the window (§6). The new objection starts
/// in [`ObjectionState::Filed`].
pub fn check_objection_filing(application: ApplicationState) -> Result<(), TransitionError> {
    if application == ApplicationState::InPublicity {
        Ok(())
    } else {
        Err(invalid_state(
            application.as_str(),
            application.label(),
            FILE_OBJECTION.0,
            FILE_OBJECTION.1,
        ))
    }
}

pub fn next_objection_state(
    from: ObjectionState,
    action: ObjectionAction,
    actor: Actor,
) -> Result<ObjectionState, TransitionError> {
    use ObjectionAction as A;
    use ObjectionState as S;
    check_actor(
        action.permitted_actors(),
        actor,
        action.as_str(),
        action.label(),
    )?;
    match (from, action) {
        (S::Filed, A::Investigate) => Ok(S::Investigating),
        (S::Investigating, A::Uphold) => Ok(S::Upheld),
        (S::Investigating, A::Dismiss) => Ok(S::Dismissed),
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}

pub fn allowed_objection_actions(state: ObjectionState, actor: Actor) -> Vec<ObjectionAction> {
    ObjectionAction::ALL
        .iter()
        .copied()
        .filter(|&a| next_objection_state(state, a, actor).is_ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Periodic reports (温州 第九条, 中山 第十四条)

labelled_enum! {
    /// A periodic report: a park's quarterly data goes operator → county → bureau; a county's own
    /// report goes county → bureau.
    pub enum ReportState ("报告状态") {
        Submitted => "submitted", "已报送",
        CountyPassed => "county_passed", "属地已审核",
        Accepted => "accepted", "已采纳",
        Returned => "returned", "已退回",
    }
}

labelled_enum! {
    pub enum ReportAction ("报告操作") {
        Resubmit => "resubmit", "重新报送",
        CountyPass => "county_pass", "审核通过",
        Accept => "accept", "采纳",
        Return => "return", "退回",
    }
}

/// Which report it is, for the report machine: a park's report passes the county first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportRoute {
    pub via_county: bool,
}

impl ReportAction {
    /// The filer of a report is the operator (a park's) or the county (its own); both resubmit.
    pub fn permitted_actors(self) -> &'static [Actor] {
        match self {
            ReportAction::Resubmit => &[OPERATOR, COUNTY],
            ReportAction::CountyPass => &[COUNTY],
            ReportAction::Accept => &[BUREAU],
            ReportAction::Return => &[COUNTY, BUREAU],
        }
    }
}

/// The report machine. A park's report: submitted → county_passed → accepted; the county
/// returns a submitted one, the bureau a passed one. A county's own report: submitted →
/// accepted, or returned by the bureau. A returned report is resubmitted as a new version.
pub fn next_report_state(
    from: ReportState,
    action: ReportAction,
    actor: Actor,
    route: &ReportRoute,
) -> Result<ReportState, TransitionError> {
    use ReportAction as A;
    use ReportState as S;
    check_actor(
        action.permitted_actors(),
        actor,
        action.as_str(),
        action.label(),
    )?;
    let filer = if route.via_county { OPERATOR } else { COUNTY };
    let to = match (from, action) {
        (S::Returned, A::Resubmit) if actor == filer => Some(S::Submitted),
        (S::Submitted, A::CountyPass) if route.via_county => Some(S::CountyPassed),
        (S::Submitted, A::Return) if route.via_county && actor == COUNTY => Some(S::Returned),
        (S::CountyPassed, A::Accept | A::Return) if route.via_county && actor == BUREAU => {
            Some(if action == A::Accept {
                S::Accepted
            } else {
                S::Returned
            })
        }
        (S::Submitted, A::Accept | A::Return) if !route.via_county && actor == BUREAU => {
            Some(if action == A::Accept {
                S::Accepted
            } else {
                S::Returned
            })
        }
        _ => None,
    };
    to.ok_or_else(|| invalid_state(from.as_str(), from.label(), action.as_str(), action.label()))
}

/// The report actions that would succeed now: the decisions a page may offer.
pub fn allowed_report_actions(
    state: ReportState,
    actor: Actor,
    route: &ReportRoute,
) -> Vec<ReportAction> {
    ReportAction::ALL
        .iter()
        .copied()
        .filter(|&a| next_report_state(state, a, actor, route).is_ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rectification orders (温州 第八条, 中山 第十一条: 责令限期整改)

labelled_enum! {
    /// An order to rectify within a deadline, on a park whose title is under rectification.
    pub enum RectificationState ("整改通知状态") {
        Open => "open", "整改中",
        Responded => "responded", "已提交整改报告，待验收",
        Accepted => "accepted", "整改验收通过",
        Lapsed => "lapsed", "逾期未整改到位",
    }
}

labelled_enum! {
    pub enum RectificationAction ("整改通知操作") {
        Respond => "respond", "提交整改报告",
        Pass => "pass", "整改验收通过",
        Fail => "fail", "整改验收不通过",
        Lapse => "lapse", "整改逾期",
    }
}

impl RectificationAction {
    pub fn permitted_actors(self) -> &'static [Actor] {
        match self {
            RectificationAction::Respond => &[OPERATOR],
            RectificationAction::Pass | RectificationAction::Fail => &[BUREAU],
            RectificationAction::Lapse => &[SYSTEM],
        }
    }
}

/// The order machine: the operator answers an open order with a report; the bureau passes it
/// (the order is done) or fails it (open again: the operator may answer until the deadline);
/// an order still open at its deadline lapses (the system's, by the clock).
pub fn next_rectification_state(
    from: RectificationState,
    action: RectificationAction,
    actor: Actor,
) -> Result<RectificationState, TransitionError> {
    use RectificationAction as A;
    use RectificationState as S;
    check_actor(
        action.permitted_actors(),
        actor,
        action.as_str(),
        action.label(),
    )?;
    match (from, action) {
        (S::Open, A::Respond) => Ok(S::Responded),
        (S::Responded, A::Pass) => Ok(S::Accepted),
        (S::Responded, A::Fail) => Ok(S::Open),
        (S::Open, A::Lapse) => Ok(S::Lapsed),
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// The review round's own objects: a panel, an expert's sheet, a publicity notice

labelled_enum! {
    /// An expert panel (评审组) drawn for a call.
    pub enum PanelState ("评审组状态") {
        Open => "open", "评审中",
        Closed => "closed", "已结束",
    }
}

labelled_enum! {
    pub enum PanelAction ("评审组操作") {
        Close => "close", "结束评审组",
    }
}

/// A panel is closed by the bureau once its applications are reviewed (the caller checks that;
/// the machine only knows that a closed panel stays closed).
pub fn next_panel_state(
    from: PanelState,
    action: PanelAction,
    actor: Actor,
) -> Result<PanelState, TransitionError> {
    check_actor(&[BUREAU], actor, action.as_str(), action.label())?;
    match (from, action) {
        (PanelState::Open, PanelAction::Close) => Ok(PanelState::Closed),
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}

labelled_enum! {
    /// A third-party institution's review of one application (中山 第八条（三）).
    pub enum InstitutionReviewState ("机构评审状态") {
        Open => "open", "待评审",
        Submitted => "submitted", "已提交",
    }
}

labelled_enum! {
    pub enum InstitutionReviewAction ("机构评审操作") {
        SubmitOpinion => "submit_institution_opinion", "提交第三方机构评审意见",
    }
}

/// The institution's staff submit its opinion once; it is then locked.
pub fn next_institution_review_state(
    from: InstitutionReviewState,
    action: InstitutionReviewAction,
    actor: Actor,
) -> Result<InstitutionReviewState, TransitionError> {
    check_actor(&[EXPERT], actor, action.as_str(), action.label())?;
    match (from, action) {
        (InstitutionReviewState::Open, InstitutionReviewAction::SubmitOpinion) => {
            Ok(InstitutionReviewState::Submitted)
        }
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}

labelled_enum! {
    /// An on-site inspection (现场考核) of one application's park.
    pub enum InspectionState ("现场考核状态") {
        Scheduled => "scheduled", "待考核",
        Confirming => "confirming", "待专家确认",
        Confirmed => "confirmed", "已确认",
    }
}

labelled_enum! {
    pub enum InspectionAction ("现场考核操作") {
        SubmitRecord => "submit_record", "提交考核记录供专家确认",
        ReturnRecord => "return_record", "退回修改考核记录",
        Confirm => "confirm_record", "专家全部确认考核记录",
    }
}

/// The bureau records the visit and submits the record; the panel members confirm it (the last
/// confirmation freezes it); the bureau may take a record back to correct it before then.
pub fn next_inspection_state(
    from: InspectionState,
    action: InspectionAction,
    actor: Actor,
) -> Result<InspectionState, TransitionError> {
    use InspectionAction as A;
    use InspectionState as S;
    let permitted: &[Actor] = match action {
        A::SubmitRecord | A::ReturnRecord => &[BUREAU],
        A::Confirm => &[EXPERT],
    };
    check_actor(permitted, actor, action.as_str(), action.label())?;
    match (from, action) {
        (S::Scheduled, A::SubmitRecord) => Ok(S::Confirming),
        (S::Confirming, A::ReturnRecord) => Ok(S::Scheduled),
        (S::Confirming, A::Confirm) => Ok(S::Confirmed),
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}

labelled_enum! {
    /// One expert's sheet (评分表) for one application.
    pub enum SheetState ("评分表状态") {
        Open => "open", "待评审",
        Submitted => "submitted", "已提交",
        Withdrawn => "withdrawn", "已撤回",
    }
}

labelled_enum! {
    pub enum SheetAction ("评分表操作") {
        Submit => "submit_sheet", "提交评审意见",
        SubmitOnPaper => "submit_paper_sheet", "代录纸质评分表并提交",
        DeclareConflict => "declare_conflict", "申明回避",
        Reopen => "reopen", "退回重评",
        Withdraw => "withdraw", "撤回评分表",
    }
}

impl SheetAction {
    /// The expert submits or recuses; the bureau reopens a submitted sheet. A member who
    /// declines the invitation has their open sheets withdrawn — declined by the expert on
    /// their invitation page, or recorded by the bureau when told another way.
    pub fn permitted_actors(self) -> &'static [Actor] {
        match self {
            SheetAction::Submit | SheetAction::DeclareConflict => &[EXPERT],
            // A paper sheet, entered twice by bureau staff (代录); the expert signed it.
            SheetAction::SubmitOnPaper => &[BUREAU],
            SheetAction::Reopen => &[BUREAU],
            SheetAction::Withdraw => &[BUREAU, EXPERT],
        }
    }
}

/// The sheet machine: an open sheet is submitted (scores or opinion) or closed by a declared
/// conflict (回避: it counts as done and is never scored); the bureau reopens a submitted one
/// with a reason, or withdraws an open one when its expert leaves the panel. Whether a
/// submitted sheet was a recusal (it may not be reopened) is the caller's check, on the row.
pub fn next_sheet_state(
    from: SheetState,
    action: SheetAction,
    actor: Actor,
) -> Result<SheetState, TransitionError> {
    use SheetAction as A;
    use SheetState as S;
    check_actor(
        action.permitted_actors(),
        actor,
        action.as_str(),
        action.label(),
    )?;
    match (from, action) {
        (S::Open, A::Submit | A::SubmitOnPaper | A::DeclareConflict) => Ok(S::Submitted),
        (S::Submitted, A::Reopen) => Ok(S::Open),
        (S::Open, A::Withdraw) => Ok(S::Withdrawn),
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}

labelled_enum! {
    /// A publicity notice (公示): open for its window, then closed by the clock.
    pub enum NoticeState ("公示状态") {
        Open => "open", "公示中",
        Closed => "closed", "公示期满",
    }
}

labelled_enum! {
    pub enum NoticeAction ("公示操作") {
        Close => "close", "公示期满",
    }
}

/// Only the clock ends a publicity window: nobody closes one early by hand.
pub fn next_notice_state(
    from: NoticeState,
    action: NoticeAction,
    actor: Actor,
) -> Result<NoticeState, TransitionError> {
    check_actor(&[SYSTEM], actor, action.as_str(), action.label())?;
    match (from, action) {
        (NoticeState::Open, NoticeAction::Close) => Ok(NoticeState::Closed),
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationAction as A;
    use ApplicationState as S;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn a_sheet_is_submitted_by_its_expert_and_reopened_or_withdrawn_only_by_the_bureau() {
        use SheetAction as SA;
        use SheetState as SS;
        assert_eq!(
            next_sheet_state(SS::Open, SA::Submit, EXPERT),
            Ok(SS::Submitted)
        );
        assert_eq!(
            next_sheet_state(SS::Open, SA::DeclareConflict, EXPERT),
            Ok(SS::Submitted)
        );
        assert_eq!(
            next_sheet_state(SS::Submitted, SA::Reopen, BUREAU),
            Ok(SS::Open)
        );
        assert_eq!(
            next_sheet_state(SS::Open, SA::Withdraw, BUREAU),
            Ok(SS::Withdrawn)
        );
        assert_eq!(
            next_sheet_state(SS::Open, SA::Withdraw, EXPERT),
            Ok(SS::Withdrawn),
            "an expert declining the invitation withdraws their own open sheets"
        );
        // A submitted sheet is not submitted twice, nor withdrawn; a withdrawn one is dead.
        assert!(next_sheet_state(SS::Submitted, SA::Submit, EXPERT).is_err());
        assert!(next_sheet_state(SS::Submitted, SA::Withdraw, BUREAU).is_err());
        assert!(next_sheet_state(SS::Withdrawn, SA::Reopen, BUREAU).is_err());
        // Nobody scores for the expert; the expert does not reopen their own sheet.
        assert!(next_sheet_state(SS::Open, SA::Submit, BUREAU).is_err());
        assert!(next_sheet_state(SS::Submitted, SA::Reopen, EXPERT).is_err());
    }

    #[test]
    fn a_panel_is_closed_once_by_the_bureau_and_a_notice_only_by_the_clock() {
        assert_eq!(
            next_panel_state(PanelState::Open, PanelAction::Close, BUREAU),
            Ok(PanelState::Closed)
        );
        assert!(next_panel_state(PanelState::Closed, PanelAction::Close, BUREAU).is_err());
        assert!(next_panel_state(PanelState::Open, PanelAction::Close, EXPERT).is_err());
        assert_eq!(
            next_notice_state(NoticeState::Open, NoticeAction::Close, SYSTEM),
            Ok(NoticeState::Closed)
        );
        assert!(next_notice_state(NoticeState::Open, NoticeAction::Close, BUREAU).is_err());
        assert!(next_notice_state(NoticeState::Closed, NoticeAction::Close, SYSTEM).is_err());
    }

    #[test]
    fn a_rectification_order_is_answered_judged_and_lapses_only_while_open() {
        use RectificationAction as RA;
        use RectificationState as RS;
        assert_eq!(
            next_rectification_state(RS::Open, RA::Respond, OPERATOR),
            Ok(RS::Responded)
        );
        assert_eq!(
            next_rectification_state(RS::Responded, RA::Fail, BUREAU),
            Ok(RS::Open)
        );
        assert_eq!(
            next_rectification_state(RS::Responded, RA::Pass, BUREAU),
            Ok(RS::Accepted)
        );
        assert_eq!(
            next_rectification_state(RS::Open, RA::Lapse, SYSTEM),
            Ok(RS::Lapsed)
        );
        // A report awaiting its verdict does not lapse; nobody answers a closed order.
        assert!(next_rectification_state(RS::Responded, RA::Lapse, SYSTEM).is_err());
        assert!(next_rectification_state(RS::Accepted, RA::Respond, OPERATOR).is_err());
        assert!(next_rectification_state(RS::Lapsed, RA::Respond, OPERATOR).is_err());
        // Only the operator answers, only the bureau judges, only the clock lapses.
        assert!(next_rectification_state(RS::Open, RA::Respond, BUREAU).is_err());
        assert!(next_rectification_state(RS::Responded, RA::Pass, OPERATOR).is_err());
        assert!(next_rectification_state(RS::Open, RA::Lapse, BUREAU).is_err());
    }

    #[test]
    fn a_parks_report_passes_the_county_before_the_bureau_accepts_it() {
        use ReportAction as RA;
        use ReportState as RS;
        let park = ReportRoute { via_county: true };
        let county = ReportRoute { via_county: false };
        assert_eq!(
            next_report_state(RS::Submitted, RA::CountyPass, COUNTY, &park),
            Ok(RS::CountyPassed)
        );
        assert!(next_report_state(RS::Submitted, RA::Accept, BUREAU, &park).is_err());
        assert_eq!(
            next_report_state(RS::CountyPassed, RA::Accept, BUREAU, &park),
            Ok(RS::Accepted)
        );
        assert_eq!(
            next_report_state(RS::Submitted, RA::Return, COUNTY, &park),
            Ok(RS::Returned)
        );
        assert!(next_report_state(RS::Returned, RA::Resubmit, COUNTY, &park).is_err());
        assert_eq!(
            next_report_state(RS::Returned, RA::Resubmit, OPERATOR, &park),
            Ok(RS::Submitted)
        );
        assert_eq!(
            next_report_state(RS::Submitted, RA::Accept, BUREAU, &county),
            Ok(RS::Accepted)
        );
        assert!(next_report_state(RS::Accepted, RA::Return, BUREAU, &county).is_err());
        assert_eq!(
            next_report_state(RS::Submitted, RA::Accept, OPERATOR, &park)
                .unwrap_err()
                .refusal(),
            Refusal::NotAllowed
        );
    }

    #[test]
    fn only_the_system_delists_a_park_whose_rectification_lapsed() {
        let rules = WorkflowRules::default();
        assert_eq!(
            next_application_state(S::Rectification, A::DelistLapsed, SYSTEM, &rules),
            Ok(S::Delisted)
        );
        assert!(next_application_state(S::Awarded, A::DelistLapsed, SYSTEM, &rules).is_err());
        assert!(next_application_state(S::Rectification, A::DelistLapsed, BUREAU, &rules).is_err());
    }

    const WENZHOU: WorkflowRules = WorkflowRules {
        validity_term: true,
        delist_without_rectification: false,
    };
    const ZHONGSHAN: WorkflowRules = WorkflowRules {
        validity_term: false,
        delist_without_rectification: true,
    };
    const ALL_RULES: [WorkflowRules; 4] = [
        WorkflowRules {
            validity_term: false,
            delist_without_rectification: false,
        },
        WENZHOU,
        ZHONGSHAN,
        WorkflowRules {
            validity_term: true,
            delist_without_rectification: true,
        },
    ];

    /// Every edge of DOMAIN.md §3 that holds under every rule set, written out independently of
    /// the implementation.
    fn spec_edges() -> Vec<(S, A, Actor, S)> {
        let mut edges = vec![
            (S::Draft, A::Submit, OPERATOR, S::Submitted),
            (S::Submitted, A::Return, COUNTY, S::Draft),
            (S::Submitted, A::Return, BUREAU, S::Draft),
            // The bureau's formal check of a forwarded application (issue 4).
            (S::Forwarded, A::Return, BUREAU, S::Draft),
            (S::Submitted, A::Forward, COUNTY, S::Forwarded),
            (S::Forwarded, A::Accept, BUREAU, S::InReview),
            (S::Forwarded, A::Reject, BUREAU, S::Rejected),
            (S::Reviewed, A::Reject, BUREAU, S::Rejected),
            (S::InReview, A::CompleteReview, SYSTEM, S::Reviewed),
            (S::Reviewed, A::Shortlist, BUREAU, S::Shortlisted),
            (S::Reviewed, A::ReopenReview, BUREAU, S::InReview),
            (S::Shortlisted, A::PublishPublicity, BUREAU, S::InPublicity),
            (
                S::InPublicity,
                A::ClosePublicity,
                SYSTEM,
                S::PublicityClosed,
            ),
            (S::PublicityClosed, A::Award, BUREAU, S::Awarded),
            (S::PublicityClosed, A::NotAward, BUREAU, S::NotAwarded),
            (S::Awarded, A::OrderRectification, BUREAU, S::Rectification),
            (S::Rectification, A::AcceptRectification, BUREAU, S::Awarded),
            (S::Rectification, A::Delist, BUREAU, S::Delisted),
            (S::Rectification, A::DelistLapsed, SYSTEM, S::Delisted),
            (S::Awarded, A::Revoke, BUREAU, S::Revoked),
            (S::Rectification, A::Revoke, BUREAU, S::Revoked),
        ];
        for s in [
            S::Draft,
            S::Submitted,
            S::Forwarded,
            S::InReview,
            S::Reviewed,
            S::Shortlisted,
            S::InPublicity,
            S::PublicityClosed,
        ] {
            edges.push((s, A::Disqualify, BUREAU, S::Disqualified));
        }
        edges
    }

    /// The edges that depend on the rule set.
    fn rule_edges(rules: &WorkflowRules) -> Vec<(S, A, Actor, S)> {
        let mut edges = vec![];
        if rules.delist_without_rectification {
            edges.push((S::Awarded, A::Delist, BUREAU, S::Delisted));
        }
        if rules.validity_term {
            edges.push((S::Awarded, A::Expire, SYSTEM, S::Expired));
            edges.push((S::Rectification, A::Expire, SYSTEM, S::Expired));
        }
        edges
    }

    #[test]
    fn every_transition_of_section_3_is_allowed() {
        for rules in ALL_RULES {
            for (from, action, actor, to) in spec_edges().into_iter().chain(rule_edges(&rules)) {
                assert_eq!(
                    next_application_state(from, action, actor, &rules),
                    Ok(to),
                    "{from} --{action} by {actor}--> {to} under {rules:?}"
                );
            }
        }
    }

    #[test]
    fn nothing_outside_section_3_is_allowed() {
        for rules in ALL_RULES {
            let edges: HashSet<_> = spec_edges()
                .into_iter()
                .chain(rule_edges(&rules))
                .map(|(f, a, actor, _)| (f, a, actor))
                .collect();
            for &from in S::ALL {
                for &action in A::ALL {
                    for actor in Actor::ALL {
                        let ok = next_application_state(from, action, actor, &rules).is_ok();
                        assert_eq!(
                            ok,
                            edges.contains(&(from, action, actor)),
                            "{from} {action} {actor} {rules:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn wrong_role_is_forbidden_whatever_the_state() {
        let rules = WENZHOU;
        let e = next_application_state(S::Submitted, A::Forward, OPERATOR, &rules).unwrap_err();
        assert_eq!(e.refusal(), Refusal::NotAllowed);
        assert_eq!(e.to_string(), "“园区运营管理机构”无权执行“报送”");
        // An expert never moves an application; the review completes by itself.
        let e = next_application_state(S::InReview, A::CompleteReview, Role::Expert.into(), &rules)
            .unwrap_err();
        assert!(matches!(e, TransitionError::Forbidden { .. }));
        // Nobody closes publicity early by hand.
        let e =
            next_application_state(S::InPublicity, A::ClosePublicity, BUREAU, &rules).unwrap_err();
        assert_eq!(e.refusal(), Refusal::NotAllowed);
        // The county forwards but cannot accept; the bureau accepts but cannot submit.
        assert!(next_application_state(S::Forwarded, A::Accept, COUNTY, &rules).is_err());
        assert!(next_application_state(S::Draft, A::Submit, BUREAU, &rules).is_err());
        // The platform's administrators have no part in the workflow.
        for admin in Role::PLATFORM_ROLES {
            for &action in A::ALL {
                for &state in S::ALL {
                    let e =
                        next_application_state(state, action, admin.into(), &rules).unwrap_err();
                    assert_eq!(e.refusal(), Refusal::NotAllowed);
                }
            }
        }
        // Forbidden wins over a wrong state: the role could never do it.
        let e = next_application_state(S::Awarded, A::Submit, BUREAU, &rules).unwrap_err();
        assert_eq!(e.refusal(), Refusal::NotAllowed);
    }

    #[test]
    fn wrong_state_is_a_conflict_named_in_chinese() {
        let rules = WENZHOU;
        let e = next_application_state(S::Forwarded, A::Submit, OPERATOR, &rules).unwrap_err();
        assert_eq!(e.refusal(), Refusal::Conflict);
        assert_eq!(e.to_string(), "当前状态为“已报送”，不能执行“提交”");
        // The county cannot return once it has forwarded (the bureau can); nobody returns from
        // review.
        assert!(next_application_state(S::Forwarded, A::Return, COUNTY, &rules).is_err());
        assert_eq!(
            next_application_state(S::Forwarded, A::Return, BUREAU, &rules),
            Ok(S::Draft)
        );
        assert!(next_application_state(S::InReview, A::Return, BUREAU, &rules).is_err());
        // No rejection during review or after shortlisting.
        assert!(next_application_state(S::InReview, A::Reject, BUREAU, &rules).is_err());
        assert!(next_application_state(S::Shortlisted, A::Reject, BUREAU, &rules).is_err());
        // No award straight from publicity, or without publicity.
        assert!(next_application_state(S::InPublicity, A::Award, BUREAU, &rules).is_err());
        assert!(next_application_state(S::Shortlisted, A::Award, BUREAU, &rules).is_err());
        // A veto after the award is a revocation, not a disqualification.
        let e = next_application_state(S::Awarded, A::Disqualify, BUREAU, &rules).unwrap_err();
        assert_eq!(e.to_string(), "当前状态为“已认定”，不能执行“取消资格”");
        assert!(next_application_state(S::Rectification, A::Disqualify, BUREAU, &rules).is_err());
        // Revocation needs a title to revoke.
        assert!(next_application_state(S::PublicityClosed, A::Revoke, BUREAU, &rules).is_err());
        // Rectification is ordered on an awarded park only, and not twice.
        assert!(
            next_application_state(S::Rectification, A::OrderRectification, BUREAU, &rules)
                .is_err()
        );
    }

    #[test]
    fn zhongshan_may_delist_without_rectification_wenzhou_may_not() {
        let e = next_application_state(S::Awarded, A::Delist, BUREAU, &WENZHOU).unwrap_err();
        assert_eq!(e.refusal(), Refusal::Conflict);
        assert_eq!(
            next_application_state(S::Awarded, A::Delist, BUREAU, &ZHONGSHAN),
            Ok(S::Delisted)
        );
        for rules in [WENZHOU, ZHONGSHAN] {
            assert_eq!(
                next_application_state(S::Rectification, A::Delist, BUREAU, &rules),
                Ok(S::Delisted)
            );
        }
        assert!(allowed_application_actions(S::Awarded, BUREAU, &ZHONGSHAN).contains(&A::Delist));
        assert!(!allowed_application_actions(S::Awarded, BUREAU, &WENZHOU).contains(&A::Delist));
    }

    #[test]
    fn expiry_only_with_a_validity_term_and_only_by_the_system() {
        for from in [S::Awarded, S::Rectification] {
            assert_eq!(
                next_application_state(from, A::Expire, SYSTEM, &WENZHOU),
                Ok(S::Expired)
            );
            let e = next_application_state(from, A::Expire, SYSTEM, &ZHONGSHAN).unwrap_err();
            assert_eq!(e.refusal(), Refusal::Conflict);
            let e = next_application_state(from, A::Expire, BUREAU, &WENZHOU).unwrap_err();
            assert_eq!(e.refusal(), Refusal::NotAllowed);
        }
        assert!(next_application_state(S::PublicityClosed, A::Expire, SYSTEM, &WENZHOU).is_err());
    }

    #[test]
    fn rules_follow_the_rule_set() {
        let wz = crate::domain::ruleset::builtin("wenzhou-2021").unwrap();
        assert_eq!(WorkflowRules::for_rule_set(&wz), WENZHOU);
        let zs = crate::domain::ruleset::builtin("zhongshan-2022").unwrap();
        assert_eq!(WorkflowRules::for_rule_set(&zs), ZHONGSHAN);
        let std = crate::domain::ruleset::builtin("cbec-park-standard-2024").unwrap();
        assert_eq!(WorkflowRules::for_rule_set(&std), WorkflowRules::default());
    }

    #[test]
    fn award_needs_every_objection_dismissed() {
        assert_eq!(check_award_precondition(0, 0), Ok(()));
        let e = check_award_precondition(2, 0).unwrap_err();
        assert_eq!(e.refusal(), Refusal::Conflict);
        assert_eq!(e.to_string(), "尚有2件异议未办结，不能执行“认定”");
        assert_eq!(
            check_award_precondition(0, 1),
            Err(TransitionError::ObjectionUpheld(1))
        );
        // Undecided objections are reported first: the upheld count may still change.
        assert_eq!(
            check_award_precondition(1, 1),
            Err(TransitionError::ObjectionsUndecided(1))
        );
        assert_eq!(check_not_award_precondition(1), Ok(()));
        assert_eq!(
            check_not_award_precondition(0),
            Err(TransitionError::NoObjectionUpheld)
        );
    }

    #[test]
    fn review_completes_when_every_assigned_reviewer_submitted() {
        assert_eq!(check_review_complete(5, 5), Ok(()));
        assert_eq!(
            check_review_complete(5, 4).unwrap_err().to_string(),
            "评审专家已提交4/5份评审意见，评审尚未完成"
        );
        assert!(check_review_complete(0, 0).is_err());
    }

    #[test]
    fn reasons_are_required_where_a_decision_hurts() {
        let needing: HashSet<_> = [
            A::Return,
            A::Reject,
            A::ReopenReview,
            A::NotAward,
            A::Disqualify,
            A::Delist,
            A::Revoke,
            A::OrderRectification,
        ]
        .into_iter()
        .collect();
        for &action in A::ALL {
            assert_eq!(
                requires_reason(action),
                needing.contains(&action),
                "{action}"
            );
        }
        let e = check_application_reason(A::Return, Some("  \n")).unwrap_err();
        assert_eq!(e.refusal(), Refusal::Incomplete);
        assert_eq!(e.to_string(), "执行“退回修改”须填写理由");
        assert!(check_application_reason(A::Return, None).is_err());
        assert_eq!(
            check_application_reason(A::Return, Some("缺少附件3")),
            Ok(())
        );
        assert_eq!(check_application_reason(A::Submit, None), Ok(()));
        assert!(check_objection_reason(ObjectionAction::Dismiss, Some("")).is_err());
        assert_eq!(
            check_objection_reason(ObjectionAction::Investigate, None),
            Ok(())
        );
    }

    #[test]
    fn the_happy_path_and_its_buttons() {
        let rules = WENZHOU;
        let county_sees = allowed_application_actions(S::Submitted, COUNTY, &rules);
        assert_eq!(county_sees, vec![A::Return, A::Forward]);
        assert_eq!(
            allowed_application_actions(S::Submitted, BUREAU, &rules),
            vec![A::Return, A::Disqualify]
        );
        assert_eq!(
            allowed_application_actions(S::Draft, OPERATOR, &rules),
            vec![A::Submit]
        );
        assert_eq!(
            allowed_application_actions(S::Awarded, BUREAU, &rules),
            vec![A::OrderRectification, A::Revoke]
        );
        assert_eq!(
            allowed_application_actions(S::Rectification, BUREAU, &rules),
            vec![A::AcceptRectification, A::Delist, A::Revoke]
        );
        assert!(allowed_application_actions(S::InReview, Role::Expert.into(), &rules).is_empty());

        let path = [
            (A::Submit, OPERATOR),
            (A::Forward, COUNTY),
            (A::Accept, BUREAU),
            (A::CompleteReview, SYSTEM),
            (A::Shortlist, BUREAU),
            (A::PublishPublicity, BUREAU),
            (A::ClosePublicity, SYSTEM),
            (A::Award, BUREAU),
            (A::OrderRectification, BUREAU),
            (A::AcceptRectification, BUREAU),
            (A::Expire, SYSTEM),
        ];
        let mut state = S::Draft;
        for (action, actor) in path {
            state = next_application_state(state, action, actor, &rules).unwrap();
        }
        assert_eq!(state, S::Expired);
    }

    #[test]
    fn terminal_states_are_exactly_those_without_a_way_out() {
        for &state in S::ALL {
            let has_exit = ALL_RULES.iter().any(|rules| {
                Actor::ALL
                    .iter()
                    .any(|&actor| !allowed_application_actions(state, actor, rules).is_empty())
            });
            assert_eq!(state.is_terminal(), !has_exit, "{state}");
        }
        let terminal: Vec<_> = S::ALL.iter().copied().filter(|s| s.is_terminal()).collect();
        assert_eq!(
            terminal,
            [
                S::NotAwarded,
                S::Rejected,
                S::Disqualified,
                S::Delisted,
                S::Revoked,
                S::Expired
            ]
        );
        for &state in ObjectionState::ALL {
            assert_eq!(
                state.is_terminal(),
                allowed_objection_actions(state, BUREAU).is_empty()
            );
        }
        for &state in CallState::ALL {
            assert_eq!(
                state.is_terminal(),
                allowed_call_actions(state, BUREAU).is_empty()
                    && allowed_call_actions(state, SYSTEM).is_empty()
            );
        }
    }

    #[test]
    fn every_state_is_reachable_from_draft() {
        let mut seen = HashSet::from([S::Draft]);
        let mut todo = vec![S::Draft];
        while let Some(s) = todo.pop() {
            for rules in ALL_RULES {
                for actor in Actor::ALL {
                    for a in allowed_application_actions(s, actor, &rules) {
                        let to = next_application_state(s, a, actor, &rules).unwrap();
                        if seen.insert(to) {
                            todo.push(to);
                        }
                    }
                }
            }
        }
        assert_eq!(seen.len(), S::ALL.len());
    }

    #[test]
    fn the_call_machine() {
        use CallAction as C;
        use CallState as K;
        let path = [
            (C::Publish, BUREAU, K::Open),
            (C::Close, SYSTEM, K::Closed),
            (C::StartReview, BUREAU, K::Reviewing),
            (C::StartPublicity, BUREAU, K::Publicity),
            (C::Conclude, BUREAU, K::Concluded),
        ];
        let mut state = K::Draft;
        for (action, actor, to) in path {
            state = next_call_state(state, action, actor).unwrap();
            assert_eq!(state, to);
        }
        assert!(K::Open.accepts_submissions());
        assert!(!K::Closed.accepts_submissions());
        let e = next_call_state(K::Open, C::Close, BUREAU).unwrap_err();
        assert_eq!(e.refusal(), Refusal::NotAllowed);
        let e = next_call_state(K::Draft, C::StartReview, BUREAU).unwrap_err();
        assert_eq!(e.to_string(), "当前状态为“草稿”，不能执行“开始评审”");
        assert!(next_call_state(K::Draft, C::Publish, COUNTY).is_err());
        assert_eq!(allowed_call_actions(K::Open, SYSTEM), vec![C::Close]);
        assert!(allowed_call_actions(K::Open, BUREAU).is_empty());
    }

    #[test]
    fn the_objection_machine() {
        use ObjectionAction as O;
        use ObjectionState as J;
        assert_eq!(
            next_objection_state(J::Filed, O::Investigate, BUREAU),
            Ok(J::Investigating)
        );
        assert_eq!(
            next_objection_state(J::Investigating, O::Uphold, BUREAU),
            Ok(J::Upheld)
        );
        assert_eq!(
            next_objection_state(J::Investigating, O::Dismiss, BUREAU),
            Ok(J::Dismissed)
        );
        let e = next_objection_state(J::Filed, O::Dismiss, BUREAU).unwrap_err();
        assert_eq!(
            e.to_string(),
            "当前状态为“已提出”，不能执行“认定异议不成立”"
        );
        assert_eq!(
            next_objection_state(J::Filed, O::Investigate, COUNTY)
                .unwrap_err()
                .refusal(),
            Refusal::NotAllowed
        );
        assert!(next_objection_state(J::Upheld, O::Dismiss, BUREAU).is_err());
        assert!(J::Filed.is_undecided() && J::Investigating.is_undecided());
        assert!(!J::Dismissed.is_undecided());

        assert_eq!(check_objection_filing(S::InPublicity), Ok(()));
        let e = check_objection_filing(S::PublicityClosed).unwrap_err();
        assert_eq!(e.to_string(), "当前状态为“公示结束”，不能执行“提出异议”");
    }

    fn round_trips<T>(all: &[T])
    where
        T: Copy + fmt::Debug + PartialEq + FromStr + Serialize + fmt::Display,
        T::Err: fmt::Debug,
        for<'de> T: Deserialize<'de>,
    {
        let mut names = HashSet::new();
        for &v in all {
            let name = v.to_string();
            assert!(names.insert(name.clone()), "duplicate name {name}");
            assert_eq!(name.parse::<T>().unwrap(), v);
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<T>(&format!("\"{name}\"")).unwrap(),
                v
            );
        }
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        round_trips(CallState::ALL);
        round_trips(CallAction::ALL);
        round_trips(ApplicationState::ALL);
        round_trips(ApplicationAction::ALL);
        round_trips(ObjectionState::ALL);
        round_trips(ObjectionAction::ALL);
        assert_eq!(
            "closing".parse::<CallState>().unwrap_err().to_string(),
            "未知的申报通知状态：closing"
        );
        for actor in Actor::ALL {
            assert_eq!(actor.as_str().parse::<Actor>().unwrap(), actor);
        }
        assert!("root".parse::<Actor>().is_err());
        assert_eq!(S::InPublicity.label(), "公示中");
        assert_eq!(CallState::Concluded.label(), "已办结");
    }

    fn any_state() -> impl Strategy<Value = S> {
        prop::sample::select(S::ALL)
    }
    fn any_action() -> impl Strategy<Value = A> {
        prop::sample::select(A::ALL)
    }
    fn any_actor() -> impl Strategy<Value = Actor> {
        prop::sample::select(Actor::ALL.to_vec())
    }
    fn any_rules() -> impl Strategy<Value = WorkflowRules> {
        (any::<bool>(), any::<bool>()).prop_map(|(v, d)| WorkflowRules {
            validity_term: v,
            delist_without_rectification: d,
        })
    }

    proptest! {
        #[test]
        fn allowed_actions_agree_with_the_machine(
            state in any_state(), action in any_action(), actor in any_actor(), rules in any_rules()
        ) {
            let result = next_application_state(state, action, actor, &rules);
            let listed = allowed_application_actions(state, actor, &rules).contains(&action);
            prop_assert_eq!(listed, result.is_ok());
            if let Err(e) = &result {
                // A refusal is a 403 exactly when the actor could never perform the action.
                let forbidden = !action.permitted_actors().contains(&actor);
                prop_assert_eq!(e.refusal() == Refusal::NotAllowed, forbidden);
                let is_forbidden_variant = matches!(e, TransitionError::Forbidden { .. });
                prop_assert_eq!(is_forbidden_variant, forbidden);
            }
        }

        #[test]
        fn no_transition_leaves_a_terminal_state(
            state in any_state(), action in any_action(), actor in any_actor(), rules in any_rules()
        ) {
            if state.is_terminal() {
                prop_assert!(next_application_state(state, action, actor, &rules).is_err());
            }
        }

        #[test]
        fn a_title_is_lost_only_through_delisting_revocation_or_expiry(
            state in any_state(), action in any_action(), actor in any_actor(), rules in any_rules()
        ) {
            if let Ok(to) = next_application_state(state, action, actor, &rules) {
                if state.holds_title() && !to.holds_title() {
                    prop_assert!(matches!(action, A::Delist | A::DelistLapsed | A::Revoke | A::Expire));
                }
                // Titles are granted by the bureau's award only.
                if !state.holds_title() && to.holds_title() {
                    prop_assert_eq!(action, A::Award);
                }
            }
        }

        #[test]
        fn call_and_objection_buttons_agree_with_their_machines(
            call in prop::sample::select(CallState::ALL),
            call_action in prop::sample::select(CallAction::ALL),
            objection in prop::sample::select(ObjectionState::ALL),
            objection_action in prop::sample::select(ObjectionAction::ALL),
            actor in any_actor(),
        ) {
            prop_assert_eq!(
                allowed_call_actions(call, actor).contains(&call_action),
                next_call_state(call, call_action, actor).is_ok()
            );
            prop_assert_eq!(
                allowed_objection_actions(objection, actor).contains(&objection_action),
                next_objection_state(objection, objection_action, actor).is_ok()
            );
            if call.is_terminal() {
                prop_assert!(next_call_state(call, call_action, actor).is_err());
            }
            if objection.is_terminal() {
                prop_assert!(next_objection_state(objection, objection_action, actor).is_err());
            }
        }
    }
}

labelled_enum! {
    /// A rule-set draft in the bureau's editor: edited until it is activated as the next
    /// version, or set aside.
    pub enum RuleDraftState ("规则草稿状态") {
        Draft => "draft", "编辑中",
        Activated => "activated", "已启用",
        Discarded => "discarded", "已放弃",
    }
}

labelled_enum! {
    pub enum RuleDraftAction ("规则草稿操作") {
        ActivateRules => "activate_rules", "启用为新版本",
        DiscardRules => "discard_rules", "放弃草稿",
    }
}

/// Only the bureau activates or discards a draft, and only while it is being edited.
pub fn next_rule_draft_state(
    from: RuleDraftState,
    action: RuleDraftAction,
    actor: Actor,
) -> Result<RuleDraftState, TransitionError> {
    check_actor(&[BUREAU], actor, action.as_str(), action.label())?;
    match (from, action) {
        (RuleDraftState::Draft, RuleDraftAction::ActivateRules) => Ok(RuleDraftState::Activated),
        (RuleDraftState::Draft, RuleDraftAction::DiscardRules) => Ok(RuleDraftState::Discarded),
        _ => Err(invalid_state(
            from.as_str(),
            from.label(),
            action.as_str(),
            action.label(),
        )),
    }
}
