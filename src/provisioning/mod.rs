pub mod activation;
pub mod refresh;
