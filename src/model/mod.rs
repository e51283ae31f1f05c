//! Plain domain types the AWS adapters return and the UI shows. No SDK types, no ratatui.

pub mod health;
pub mod stack;
