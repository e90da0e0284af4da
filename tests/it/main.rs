//! Integration tests: the real router against a real PostgreSQL, one fresh database per test.
mod helpers;

mod admin;
mod audit;
mod auth;
mod bureau;
mod calendar;
mod calls;
mod crash;
mod crawl;
mod evaluate_cli;
mod faults;
mod forwarding;
mod fuzz;
mod hostile;
mod intake;
mod isolation;
mod monitoring;
mod notifications;
mod pages;
mod pgcluster;
mod platform;
mod publicity;
mod review;
mod rulesets;
mod sweep;
mod workdays_cli;
