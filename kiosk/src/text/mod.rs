//! Text helpers that know nothing of laws, halls or screens.

pub mod i18n;
pub mod zh;
