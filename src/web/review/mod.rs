//! Expert review: the bureau's pool and panels, the experts' conflict declarations and score
//! sheets, and the aggregated results the bureau decides on.
pub mod bureau;
pub mod expert;
pub mod inspection;
pub mod inspection_pdf;
pub mod institutions;
pub mod paper;
pub mod pool;
pub mod re_review;

pub use crate::service::review::{evaluate_with_scores, expert_scores, opinions};
