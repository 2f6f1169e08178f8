pub mod activation;
