//! The requests of a real PingOne setup collection (ttranatping/p1mfa-serverprofile's
//! `postman_setup_p1mfa.json`), replayed in order with the same paths and bodies, with the
//! values its test scripts capture: every one must succeed against the stand-in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Harness, basic};

fn find<'a>(list: &'a Value, plural: &str, pred: impl Fn(&Value) -> bool) -> &'a Value {
    list["_embedded"][plural]
        .as_array()
        .expect(plural)
        .iter()
        .find(|v| pred(v))
        .expect(plural)
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn p1mfa_setup_requests_succeed_in_order() {
    let h = Harness::start().await;
    let token_url = h.token_url(&h.var("parentEnvID"));
    let auth = basic(&h.var("adminAppID"), &h.var("adminAppSecret"));
    let issued = h
        .post_form(
            &token_url,
            Some(&auth),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(issued.status, StatusCode::OK);
    let token = issued.body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    let call = |method: Method, path: String, body: Option<Value>| {
        let token = token.clone();
        let h = &h;
        async move { h.call(method, &path, &token, body).await }
    };
    let expect = |reply: &crate::support::Reply, status: StatusCode| {
        assert_eq!(reply.status, status, "{}", reply.body);
    };

    let orgs = call(Method::GET, "/organizations".into(), None).await;
    expect(&orgs, StatusCode::OK);
    let org_id = id(&orgs.body["_embedded"]["organizations"][0]);
    let licenses = call(
        Method::GET,
        format!("/organizations/{org_id}/licenses"),
        None,
    )
    .await;
    expect(&licenses, StatusCode::OK);
    let license = find(&licenses.body, "licenses", |l| {
        l["package"] == "MFA" && l["status"] == "ACTIVE"
    });
    let region = license["environments"]["regions"][0]
        .as_str()
        .expect("region")
        .to_owned();
    let license_id = id(license);
    let roles = call(Method::GET, "/roles".into(), None).await;
    expect(&roles, StatusCode::OK);
    let role_id = id(find(&roles.body, "roles", |r| {
        r["name"] == "Identity Data Admin"
    }));

    let env = call(
        Method::POST,
        "/environments".into(),
        Some(
            json!({"name": "P14MFA Demo - 1", "region": region, "type": "SANDBOX",
                    "description": "Test Description", "license": {"id": license_id}}),
        ),
    )
    .await;
    expect(&env, StatusCode::CREATED);
    let env_id = id(&env.body);
    let e = format!("/environments/{env_id}");
    let population = call(
        Method::POST,
        format!("{e}/populations"),
        Some(json!({"name": "Population_1", "description": "this is my population"})),
    )
    .await;
    expect(&population, StatusCode::CREATED);
    let policy = call(
        Method::POST,
        format!("{e}/signOnPolicies"),
        Some(
            json!({"name": "MFA_Only_Policy", "description": "A sign-on policy", "default": false}),
        ),
    )
    .await;
    expect(&policy, StatusCode::CREATED);
    let policy_id = id(&policy.body);
    let action = call(
        Method::POST,
        format!("{e}/signOnPolicies/{policy_id}/actions"),
        Some(json!({"type": "MULTI_FACTOR_AUTHENTICATION", "priority": 1, "sms": {"enabled": true},
                    "boundBiometrics": {"enabled": false}, "securityKey": {"enabled": false}, "email": {"enabled": true}})),
    )
    .await;
    expect(&action, StatusCode::CREATED);
    let resources = call(Method::GET, format!("{e}/resources"), None).await;
    expect(&resources, StatusCode::OK);
    let openid_id = id(find(&resources.body, "resources", |r| {
        r["name"] == "openid"
    }));
    let scopes = call(
        Method::GET,
        format!("{e}/resources/{openid_id}/scopes"),
        None,
    )
    .await;
    expect(&scopes, StatusCode::OK);
    let profile_id = id(find(&scopes.body, "scopes", |s| s["name"] == "profile"));

    let user = call(
        Method::POST,
        format!("{e}/users"),
        Some(json!({"email": "p1mfauser@mailinator.com", "name": {"given": "SampleMFA", "family": "User"},
                    "population": {"id": id(&population.body)}, "username": "p1mfauser"})),
    )
    .await;
    expect(&user, StatusCode::CREATED);
    let u = format!("{e}/users/{}", id(&user.body));
    for body in [
        json!({"newPassword": "2Access!"}),
        json!({"currentPassword": "2Access!", "newPassword": "2FederateM0re!"}),
    ] {
        let request = h
            .client
            .put(h.api(&format!("{u}/password")))
            .bearer_auth(&token)
            .header(
                "content-type",
                "application/vnd.pingidentity.password.reset+json",
            )
            .body(body.to_string());
        expect(&h.send(request).await, StatusCode::OK);
    }
    expect(
        &call(
            Method::PUT,
            format!("{u}/mfaEnabled"),
            Some(json!({"mfaEnabled": true})),
        )
        .await,
        StatusCode::OK,
    );
    for device in [
        json!({"type": "EMAIL", "email": "p1mfauser@mailinator.com"}),
        json!({"type": "SMS", "phone": "+6100000000"}),
    ] {
        expect(
            &call(Method::POST, format!("{u}/devices"), Some(device)).await,
            StatusCode::CREATED,
        );
    }

    let worker = call(
        Method::POST,
        format!("{e}/applications"),
        Some(json!({"name": "PingFederate Adapter - WorkerApp", "enabled": true, "type": "WORKER",
                    "protocol": "OPENID_CONNECT", "grantTypes": ["CLIENT_CREDENTIALS"],
                    "tokenEndpointAuthMethod": "CLIENT_SECRET_BASIC", "pkceEnforcement": "OPTIONAL"})),
    )
    .await;
    expect(&worker, StatusCode::CREATED);
    let worker_id = id(&worker.body);
    let request = h
        .client
        .post(h.api(&format!("{e}/applications/{worker_id}/secret")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("null");
    let secret = h.send(request).await;
    expect(&secret, StatusCode::OK);
    assert!(secret.body["secret"].is_string());
    let assignment = call(
        Method::POST,
        format!("{e}/applications/{worker_id}/roleAssignments"),
        Some(json!({"role": {"id": role_id}, "scope": {"id": env_id, "type": "ENVIRONMENT"}})),
    )
    .await;
    expect(&assignment, StatusCode::CREATED);

    let end_user = call(
        Method::POST,
        format!("{e}/applications"),
        Some(json!({"name": "PingFederate Adapter - EndUserApp", "enabled": true, "type": "NATIVE_APP",
                    "protocol": "OPENID_CONNECT", "responseTypes": ["ID_TOKEN", "TOKEN"], "grantTypes": ["IMPLICIT"],
                    "refreshTokenDuration": 2_592_000, "tokenEndpointAuthMethod": "CLIENT_SECRET_POST",
                    "pkceEnforcement": "OPTIONAL", "refreshTokenRollingDuration": 15_552_000, "redirectUris": []})),
    )
    .await;
    expect(&end_user, StatusCode::CREATED);
    let app = format!("{e}/applications/{}", id(&end_user.body));
    expect(
        &call(Method::POST, format!("{app}/secret"), None).await,
        StatusCode::OK,
    );
    let policy_assignment = call(
        Method::POST,
        format!("{app}/signOnPolicyAssignments"),
        Some(json!({"priority": 1, "signOnPolicy": {"id": policy_id}})),
    )
    .await;
    expect(&policy_assignment, StatusCode::CREATED);
    let grant = call(
        Method::POST,
        format!("{app}/grants"),
        Some(json!({"resource": {"id": openid_id}, "scopes": [{"id": profile_id}]})),
    )
    .await;
    expect(&grant, StatusCode::CREATED);
}
