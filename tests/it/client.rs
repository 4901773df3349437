//! The CaseStatus client against the sandbox over real HTTP: paging,
//! typed errors, retries, and what is never retried.

use std::time::{Duration, Instant};

use casestatus_sync::casestatus::{ApiError, ApiKey, Attorney, CaseBody, CaseStatus, Client};
use casestatus_sync::sandbox::{Fault, NewMessage, Route, Sandbox};

fn client(sb: &Sandbox, key: &str, retries: u32) -> CaseStatus {
    CaseStatus::new(
        sb.base_url().parse().unwrap(),
        &ApiKey::new(key),
        Duration::from_secs(2),
        retries,
    )
    .unwrap()
}

fn body(id: &str) -> CaseBody {
    CaseBody {
        integration_id: id.into(),
        readable_id: format!("F-{id}"),
        practice_area: "Family Law".into(),
        stage: "Filing".into(),
        opened_on: None,
        closed_on: None,
        attorney: Attorney {
            name: "Dana Reyes".into(),
            email: "dreyes@firm.example".into(),
        },
        paralegal_email: None,
        client: Client {
            first_name: "A".into(),
            last_name: "B".into(),
            phone: "1".into(),
            email: None,
            date_of_birth: None,
        },
        deep_link: "https://x/matters/1".into(),
    }
}

#[test]
fn pages_through_long_lists() {
    let sb = Sandbox::demo(0).unwrap();
    for i in 0..230 {
        sb.add_message(NewMessage::client("1", "Maria", &format!("m{i}")));
    }
    let c = client(&sb, Sandbox::DEMO_KEY, 0);
    let all = c.unprocessed_messages().unwrap();
    assert_eq!(all.len(), 230);
    let pages: Vec<String> = sb.requests().iter().map(|r| r.query.clone()).collect();
    // Three pages and the empty one that ends the list (a short page
    // does not: SPEC §4).
    assert_eq!(pages.len(), 4, "{pages:?}");
}

#[test]
fn typed_errors() {
    let sb = Sandbox::demo(0).unwrap();
    assert!(matches!(
        client(&sb, "nope", 0).practice_areas(),
        Err(ApiError::Unauthorized)
    ));
    assert!(matches!(
        client(&sb, "sandbox-no-api-key", 0).practice_areas(),
        Err(ApiError::Forbidden)
    ));
    let c = client(&sb, Sandbox::DEMO_KEY, 0);
    let id = c.create_case(&body("1")).unwrap();
    match c.create_case(&body("1")) {
        Err(ApiError::Conflict { existing_id, .. }) => assert_eq!(existing_id, Some(id)),
        other => panic!("{other:?}"),
    }
    let mut b = body("2");
    b.attorney.email = "nobody@firm.example".into();
    match c.create_case(&b) {
        Err(ApiError::Rejected { code, message }) => {
            assert_eq!(code, "attorney_not_found");
            assert!(message.contains("nobody@firm.example"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.list_appointments(999_999),
        Err(ApiError::NotFound { .. })
    ));
    assert!(
        matches!(c.delete_appointment(999_999), Ok(())),
        "404 on delete means already gone"
    );
}

#[test]
fn retries_429_after_retry_after_and_5xx_for_reads() {
    let sb = Sandbox::demo(0).unwrap();
    let c = client(&sb, Sandbox::DEMO_KEY, 3);
    sb.inject(
        Route::new("GET", "/v1/api/practice_areas"),
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        1,
    );
    let t = Instant::now();
    assert_eq!(c.practice_areas().unwrap().len(), 3);
    // A lower bound only: a loaded machine can make the call slower, never
    // faster, so this cannot fail for load.
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "Retry-After honoured"
    );
    sb.inject(
        Route::new("GET", "/v1/api/practice_areas"),
        Fault::Status(503),
        2,
    );
    assert_eq!(c.practice_areas().unwrap().len(), 3);
    sb.inject(
        Route::new("GET", "/v1/api/practice_areas"),
        Fault::Status(502),
        10,
    );
    assert!(matches!(
        c.practice_areas(),
        Err(ApiError::Server { status: 502, .. })
    ));
}

#[test]
fn creates_are_not_blindly_retried() {
    let sb = Sandbox::demo(0).unwrap();
    sb.set_allow_duplicates(true);
    let c = client(&sb, Sandbox::DEMO_KEY, 3);
    // A 5xx may have done the work: not retried.
    sb.inject(Route::new("POST", "/v1/api/cases"), Fault::Status(500), 1);
    assert!(matches!(
        c.create_case(&body("1")),
        Err(ApiError::Server { .. })
    ));
    // A lost answer: not retried either.
    sb.inject(Route::new("POST", "/v1/api/cases"), Fault::LoseResponse, 1);
    assert!(matches!(
        c.create_case(&body("2")),
        Err(ApiError::Unreachable { .. })
    ));
    let posts = sb.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 2);
    assert_eq!(sb.cases().len(), 1, "the lost one was created once");
    // A 429 was refused before any work: retried.
    sb.inject(
        Route::new("POST", "/v1/api/cases"),
        Fault::TooManyRequests {
            retry_after_secs: 0,
        },
        1,
    );
    assert!(c.create_case(&body("3")).is_ok());
}

#[test]
fn bad_answers_are_errors_not_panics() {
    let sb = Sandbox::demo(0).unwrap();
    let c = client(&sb, Sandbox::DEMO_KEY, 0);
    for fault in [
        Fault::MalformedJson,
        Fault::EmptyBody,
        Fault::Huge,
        Fault::Respond {
            status: 200,
            body: "{\"id\": \"x\"}".into(),
        },
    ] {
        sb.inject(
            Route::new("GET", "/v1/api/practice_areas"),
            fault.clone(),
            1,
        );
        assert!(
            matches!(c.practice_areas(), Err(ApiError::BadResponse { .. })),
            "{fault:?}"
        );
    }
    sb.inject(
        Route::new("GET", "/v1/api/practice_areas"),
        Fault::Delay(Duration::from_secs(4)),
        1,
    );
    // The answer would come after 4 s and succeed: an Unreachable error is
    // the proof that the client's timeout ended the call (no wall clock).
    assert!(matches!(
        c.practice_areas(),
        Err(ApiError::Unreachable { .. })
    ));
}

#[test]
fn the_key_is_never_in_debug_output() {
    let key = ApiKey::new("  super-secret-key-123 \n");
    assert_eq!(key.expose(), "super-secret-key-123");
    assert!(!format!("{key:?}").contains("super-secret"));
    let sb = Sandbox::demo(0).unwrap();
    let c = client(&sb, "super-secret-key-123", 0);
    assert!(!format!("{c:?}").contains("super-secret"));
    let e = c.practice_areas().unwrap_err();
    assert!(!format!("{e:?} {e}").contains("super-secret"));
}
