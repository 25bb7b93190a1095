//! The working-day calendar (工作日历: 工作日 / 法定节假日 / 调休): the normal week with public
//! holidays and make-up workdays, on which approval deadlines are counted. The official
//! schedules of the shipped years are installed into a new node (`holidays.rs`); administrators
//! edit single days and import later years in the holiday-cn format.

pub mod api;
pub mod holidays;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use model::{Calendar, DayEntry};
