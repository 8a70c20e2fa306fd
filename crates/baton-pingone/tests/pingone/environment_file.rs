//! The environment file the stand-in writes for itself: template shape, the keys
//! collections use, credentials that work, atomic writing, and seeded determinism.

use baton_pingone::{PingOneOptions, start};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::Harness;

#[tokio::test]
async fn environment_file_has_template_shape_and_all_keys() {
    let h = Harness::start().await;
    let file = h.server.environment();
    assert!(file["id"].is_string() && file["name"].is_string());
    let values = file["values"].as_array().expect("values");
    for value in values {
        assert!(
            value["key"].is_string() && value["value"].is_string() && value["type"].is_string()
        );
        assert_eq!(value["enabled"], true);
    }
    let keys: Vec<&str> = values.iter().filter_map(|v| v["key"].as_str()).collect();
    for key in [
        "tld",
        "authPath",
        "apiPath",
        "adminEnvID",
        "adminAppID",
        "adminAppSecret",
        "envID",
        "username",
        "password",
        "redirectUri",
    ] {
        assert!(keys.contains(&key), "missing {key}");
    }
    let kind = |key: &str| {
        values
            .iter()
            .find(|v| v["key"] == key)
            .map(|v| v["type"].clone())
    };
    assert_eq!(kind("adminAppSecret"), Some("secret".into()));
    assert_eq!(kind("password"), Some("secret".into()));
    assert_eq!(h.var("authPath"), h.server.base_url());
    assert_eq!(h.var("apiPath"), format!("{}/v1", h.server.base_url()));
    assert!(h.server.base_url().starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn environment_file_credentials_reach_the_management_api() {
    let h = Harness::start().await;
    let token = h.admin_token().await;
    let env = h
        .call(
            reqwest::Method::GET,
            &format!("/environments/{}", h.var("envID")),
            &token,
            None,
        )
        .await;
    assert_eq!(env.status, StatusCode::OK);
    let code = h
        .code_for(
            &h.app_with_method("CLIENT_SECRET_BASIC", serde_json::json!({}))
                .await
                .id,
            &[],
        )
        .await;
    assert!(!code.is_empty(), "the seeded username and password sign on");
}

#[tokio::test]
async fn write_environment_writes_the_same_json_to_disk() {
    let h = Harness::start().await;
    let folder = std::env::temp_dir().join(format!("baton-pingone-env-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("folder");
    let path = folder.join("pingone.postman_environment.json");
    h.server.write_environment(&path).expect("written");
    let written: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    assert_eq!(written, h.server.environment());
    std::fs::remove_dir_all(&folder).expect("cleanup");
}

#[tokio::test]
async fn same_seed_gives_same_ids_and_secrets() {
    let options = PingOneOptions {
        port: 0,
        seed: Some(42),
        ..PingOneOptions::default()
    };
    let (a, b) = (
        start(options).await.expect("a"),
        start(options).await.expect("b"),
    );
    let ids = |file: Value| {
        file["values"]
            .as_array()
            .expect("values")
            .iter()
            .filter(|v| {
                !["authPath", "apiPath", "redirectUri"]
                    .contains(&v["key"].as_str().unwrap_or_default())
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(a.environment()), ids(b.environment()));
    a.shutdown().await.expect("a stopped");
    b.shutdown().await.expect("b stopped");
}

#[tokio::test]
async fn shutdown_stops_the_listener() {
    let h = Harness::start().await;
    let url = format!("{}/v1/environments", h.server.base_url());
    h.server.shutdown().await.expect("stopped");
    assert!(h.client.get(&url).send().await.is_err());
}
