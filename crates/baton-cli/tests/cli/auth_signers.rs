//! The signing auth helpers against Newman: one collection with a request per signer and
//! placement goes through the real Newman and Baton to the same loopback server, and the raw
//! requests must be identical. Only what differs between two Newman runs is masked: the
//! `Postman-Token`, AWS's date and signature when the clock signs, and JWT signatures that are
//! randomised (ECDSA) or claims taken from the clock (ASAP's `iat`, `exp`, `jti`).

use base64::Engine;
use serde_json::{Value, json};

use crate::node::newman;
use crate::on_the_wire::{RawServer, without_random_parts};
use crate::support::{Scratch, baton, collection};

const RSA_KEY: &str = include_str!("../../../../environments/test-only-private-key-jwt.pem");

/// A throwaway P-256 key for ES256 (test only).
const EC_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1IG3n7PTkZjT32kq
NpoUS8c1skOI8vLASoOrQJvZNpihRANCAAQTHfbttRKEg3oa5s/5/qOLyuXLcdof
HPrh+/NoJaR75v+1bbVhztu/TZPSC87NddInB9ioznc7rnTy2868psco
-----END PRIVATE KEY-----
";

fn params(map: Value) -> Value {
    Value::Array(
        map.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    )
}

fn signed(name: &str, method: &str, url: String, kind: &str, auth: Value, extra: Value) -> Value {
    let mut request =
        json!({"method": method, "url": url, "auth": {"type": kind, kind: params(auth)}});
    if let Some(header) = extra.get("header") {
        request["header"] = header.clone();
    }
    if let Some(body) = extra.get("body") {
        request["body"] = body.clone();
    }
    json!({"name": name, "request": request})
}

/// The request with its clock- and randomness-dependent parts masked.
fn comparable(raw: &str) -> String {
    without_random_parts(raw)
        .lines()
        .map(|line| {
            let Some((name, value)) = line.split_once(": ") else {
                return line.to_string();
            };
            if raw.contains("/aws-now") && name == "X-Amz-Date" {
                return format!("{name}: *");
            }
            if raw.contains("/aws-now") && name == "Authorization" {
                let credential_end = value.find(", SignedHeaders").unwrap_or(value.len());
                let signed = value[credential_end..]
                    .split(", Signature=")
                    .next()
                    .unwrap_or("");
                let scope = value[..credential_end].splitn(3, '/').nth(2).unwrap_or("");
                return format!("{name}: <credential date>/{scope}{signed}, Signature=*");
            }
            if name == "Authorization" && (raw.contains("/jwt-es") || raw.contains("/asap-now")) {
                let (prefix, token) = value.rsplit_once(' ').unwrap_or(("", value));
                return format!("{name}: {prefix} {}", jwt_claims(token));
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A JWT's header and claims, the claims taken from the clock or randomness left out.
fn jwt_claims(token: &str) -> String {
    let decode = |part: &str| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    let mut parts = token.split('.');
    let header = decode(parts.next().unwrap());
    let mut claims = decode(parts.next().unwrap());
    let object = claims.as_object_mut().unwrap();
    for timed in ["iat", "exp", "jti"] {
        assert!(object.remove(timed).is_some(), "{timed} in {token}");
    }
    format!("{header} {claims} <signature>")
}

#[test]
fn signed_requests_are_byte_for_byte_newmans() {
    let server = RawServer::start();
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    let raw = |text: &str| json!({"mode": "raw", "raw": text});
    let form = |pairs: &[(&str, &str)]| {
        json!({"mode": "urlencoded", "urlencoded": pairs.iter()
            .map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>()})
    };
    let oauth = |method: &str, extra: Value| {
        let mut p = json!({"consumerKey": "ck", "consumerSecret": "cs", "token": "tk",
            "tokenSecret": "ts", "signatureMethod": method, "timestamp": "1700000000",
            "nonce": "n0nce", "version": "1.0", "addParamsToHeader": true, "addEmptyParamsToSign": false});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    let items = json!([
        // Header order: the auth header comes before a raw body's Content-Type.
        signed(
            "basic with JSON",
            "POST",
            format!("{base}/basic"),
            "basic",
            json!({"username": "u", "password": "p"}),
            json!({"body": {"mode": "raw", "raw": "{}", "options": {"raw": {"language": "json"}}}})
        ),
        signed(
            "hawk",
            "GET",
            format!("{base}/hawk/x?b=1&a=2"),
            "hawk",
            json!({"authId": "id", "authKey": "key", "algorithm": "sha256", "nonce": "Ygvqdz",
                "timestamp": "1700000000", "extraData": "ext \"q\"", "app": "app", "delegation": "dlg"}),
            json!({"header": [{"key": "Authorization", "value": "old"}]})
        ),
        signed(
            "hawk with payload hash",
            "POST",
            format!("{base}/hawk-payload"),
            "hawk",
            json!({"authId": "id", "authKey": "key", "algorithm": "sha1", "nonce": "abc",
                "timestamp": "1700000001", "includePayloadHash": true}),
            json!({"header": [{"key": "Content-Type", "value": "text/plain"}], "body": raw("hello")})
        ),
        signed(
            "oauth1 HMAC-SHA1 header with realm",
            "GET",
            format!("{base}/oauth/h?b=2&a=hello world&c!='x'&flag"),
            "oauth1",
            oauth("HMAC-SHA1", json!({"realm": "Example Realm"})),
            json!({})
        ),
        signed(
            "oauth1 HMAC-SHA256 query",
            "GET",
            format!("{base}/oauth/q?x=a+b"),
            "oauth1",
            oauth(
                "HMAC-SHA256",
                json!({"addParamsToHeader": false, "callback": "http://cb.example/?x=1"})
            ),
            json!({})
        ),
        signed(
            "oauth1 PLAINTEXT body",
            "POST",
            format!("{base}/oauth/body"),
            "oauth1",
            oauth(
                "PLAINTEXT",
                json!({"addParamsToHeader": false, "consumerSecret": "c&s"})
            ),
            json!({"body": form(&[("name", "a b"), ("oauth_nonce", "old")])})
        ),
        signed(
            "oauth1 RSA-SHA256 body hash",
            "PUT",
            format!("{base}/oauth/rsa"),
            "oauth1",
            oauth(
                "RSA-SHA256",
                json!({"privateKey": RSA_KEY, "includeBodyHash": true,
                "addEmptyParamsToSign": true, "consumerSecret": ""})
            ),
            json!({"body": raw("payload")})
        ),
        signed(
            "oauth1 RSA-SHA1 query",
            "GET",
            format!("{base}/oauth/rsa1?a=1"),
            "oauth1",
            oauth(
                "RSA-SHA1",
                json!({"privateKey": RSA_KEY, "addParamsToHeader": false, "consumerSecret": ""})
            ),
            json!({})
        ),
        signed(
            "awsv4 at a fixed date",
            "POST",
            format!("{base}/aws/a//b/../c?z=1&a=x y&a=b"),
            "awsv4",
            json!({"accessKey": "AK", "secretKey": "SK", "region": "eu-west-1", "service": "execute-api",
                "sessionToken": "tok/en="}),
            json!({"header": [{"key": "Date", "value": "Tue, 14 Nov 2023 22:13:20 GMT"},
                              {"key": "X-Custom", "value": " one   two "}],
                   "body": raw("{\"k\":\"v\"}")})
        ),
        signed(
            "awsv4 now",
            "GET",
            format!("{base}/aws-now/x?q=1"),
            "awsv4",
            json!({"accessKey": "AK", "secretKey": "SK", "service": "s3"}),
            json!({})
        ),
        signed(
            "awsv4 in the query at a fixed date",
            "GET",
            format!("{base}/aws-query/my%20key?list-type=2&X-Amz-Date=20231114T221320Z"),
            "awsv4",
            json!({"accessKey": "AK", "secretKey": "SK", "service": "s3", "addAuthDataToQuery": true}),
            json!({})
        ),
        signed(
            "edgegrid",
            "POST",
            format!("{base}/edgegrid?x=1"),
            "edgegrid",
            json!({"accessToken": "akab-access", "clientToken": "akab-client", "clientSecret": "secret=",
                "nonce": "nonce-1", "timestamp": "20231114T22:13:20+0000", "headersToSign": "X-A, x-b"}),
            json!({"header": [{"key": "x-a", "value": "  v   1 "}, {"key": "X-B", "value": "2"}],
                   "body": form(&[("k", "v w")])})
        ),
        signed(
            "jwt HS256",
            "GET",
            format!("{base}/jwt-hs"),
            "jwt",
            json!({"algorithm": "HS256", "secret": "secret", "header": "{\"typ\":\"JWT\"}",
                "payload": "{\"sub\":\"123\",\"n\":1.0}", "headerPrefix": "JWT"}),
            json!({})
        ),
        signed(
            "jwt RS256 in the query",
            "GET",
            format!("{base}/jwt-rs?jwt=old&x=1"),
            "jwt",
            json!({"algorithm": "RS256", "privateKey": RSA_KEY, "payload": "{\"iss\":\"me\"}",
                "addTokenTo": "queryParam", "queryParamKey": "jwt"}),
            json!({})
        ),
        signed(
            "jwt ES256",
            "GET",
            format!("{base}/jwt-es"),
            "jwt",
            json!({"algorithm": "ES256", "privateKey": EC_KEY, "payload": "{\"iat\":1,\"exp\":2,\"jti\":\"j\"}"}),
            json!({})
        ),
        signed(
            "asap with given times",
            "GET",
            format!("{base}/asap"),
            "asap",
            json!({"kid": "key-1", "iss": "issuer", "aud": "audience", "privateKey": RSA_KEY,
                "claims": "{\"jti\":\"fixed\",\"iat\":1700000000,\"exp\":1700003600}"}),
            json!({})
        ),
        signed(
            "asap now",
            "GET",
            format!("{base}/asap-now"),
            "asap",
            json!({"kid": "key-1", "iss": "issuer", "aud": "audience", "privateKey": RSA_KEY, "exp": "60"}),
            json!({})
        ),
    ]);
    let count = items.as_array().unwrap().len();
    let s = Scratch::new("auth-signers");
    s.json("c.json", &collection(items));
    let by_newman = newman(&s.dir, &["run", "c.json"]);
    let served = server.requests().len();
    let by_baton = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(by_newman.code, 0, "{}", by_newman.stdout);
    assert_eq!(by_baton.code, 0, "{}{}", by_baton.stdout, by_baton.stderr);
    let requests = server.requests();
    let (newman_requests, baton_requests) = requests.split_at(served);
    assert_eq!(newman_requests.len(), count);
    assert_eq!(baton_requests.len(), count);
    for (n, b) in newman_requests.iter().zip(baton_requests) {
        let signed = [
            "Authorization: ",
            "oauth_signature",
            "X-Amz-Signature",
            "jwt=ey",
        ];
        assert!(
            signed.iter().any(|mark| n.contains(mark)),
            "Newman signed: {n}"
        );
        assert_eq!(comparable(b), comparable(n));
    }
}
