//! Use-cases: one function per thing a person (or the system) does, owning its transaction,
//! its state changes and its audit entries. Web handlers, the demo seeder and the jobs call
//! these; this layer knows nothing of HTTP.
pub mod accounts;
pub mod applications;
pub mod awards;
pub mod calendar;
pub mod calls;
pub mod drafts;
pub mod experts;
pub mod forwarding;
pub mod inspections;
pub mod institutions;
pub mod jurisdictions;
pub mod monitoring;
pub mod notify;
pub mod objections;
pub mod onboarding;
pub mod panels;
pub mod paper;
pub mod platform;
pub mod publicity;
pub mod results;
pub mod review;
pub mod rulesets;
pub mod todo;
pub mod users;
