//! The directory (通讯录): the unit tree with its people, a person's card, and search by name,
//! login, pinyin and initials (张伟 is found by `zhangwei` and `zw`). The people index lives in
//! memory (`index.rs`, cached by `App::directory`), so a search never reads the store.

pub mod api;
pub mod index;
pub mod pages;
pub mod service;

pub use index::Directory;
