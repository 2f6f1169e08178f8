pub mod metadata;
pub mod privileged;
