//! The rules, pure: no I/O, no clock of their own. Eligibility (one small
//! function per help-article row), reasons and where to fix them, the case
//! body, drift, the appointment window and body, the activity text.

pub mod activity;
pub mod appointment;
pub mod case_body;
pub mod contact;
pub mod drift;
pub mod eligibility;
pub mod matter;
pub mod policy;
pub mod reasons;
