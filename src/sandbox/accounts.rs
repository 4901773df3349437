//! Many firms on one sandbox: which account an API key works on.
//!
//! The demo key and every key registered with [`super::Sandbox::add_api_key`]
//! share the demo account (a rotated key sees the same cases). On a
//! [`super::Sandbox::demo`] sandbox any other key starting with `sandbox-`
//! gets an account of its own on first use, empty but with the demo
//! practice areas and users. Latency, faults and the request log belong to
//! the server; a fault may be aimed at one key.

use std::collections::HashMap;
use std::time::Duration;

use super::{Account, Fault, PracticeArea, Quirks, Request, RequestRecord, Response, Route, Stage};

/// Everything the sandbox knows; guarded by one mutex.
pub(super) struct State {
    /// Registered keys (demo account) and whether their API access is on.
    pub(super) keys: HashMap<String, bool>,
    /// The account of the demo key and of every registered key.
    pub(super) demo: Account,
    /// Accounts made on first use for unregistered `sandbox-…` keys.
    pub(super) accounts: HashMap<String, Account>,
    /// Whether unregistered `sandbox-…` keys get accounts ([`Sandbox::demo`]).
    pub(super) open_accounts: bool,
    pub(super) requests: Vec<RequestRecord>,
    pub(super) latency: Duration,
    pub(super) faults: Vec<PendingFault>,
    pub(super) quirks: Quirks,
    /// Holds a test placed (see `hold.rs`); a released one is dropped here
    /// when the next request looks.
    pub(super) holds: Vec<std::sync::Arc<super::HoldState>>,
}

/// A fault waiting for `times` more requests on `route` (from `key` only, when set).
pub(super) struct PendingFault {
    pub(super) route: Route,
    pub(super) key: Option<String>,
    pub(super) fault: Fault,
    pub(super) times: usize,
}

/// The prefix of keys that get an account of their own on first use.
const OPEN_KEY_PREFIX: &str = "sandbox-";

/// The sandbox's users of a demo account (attorneys cases may name).
const DEMO_USERS: [&str; 3] = [
    "dreyes@firm.example",
    "mchen@firm.example",
    "jokafor@firm.example",
];

impl State {
    pub(super) fn new() -> State {
        State {
            keys: HashMap::new(),
            demo: Account::new(),
            accounts: HashMap::new(),
            open_accounts: false,
            requests: Vec::new(),
            latency: Duration::ZERO,
            faults: Vec::new(),
            quirks: Quirks::default(),
            holds: Vec::new(),
        }
    }

    /// The account an API request with `key` works on, or the 401/403 answer.
    pub(super) fn account_for_request(
        &mut self,
        key: Option<&str>,
    ) -> Result<&mut Account, Response> {
        let unauthorized = || Response::error(401, "unauthorized", "Invalid API key");
        let key = key.ok_or_else(unauthorized)?;
        match self.keys.get(key) {
            Some(true) => Ok(&mut self.demo),
            Some(false) => Err(Response::error(
                403,
                "api_access_disabled",
                "API access is not enabled for this account",
            )),
            None if self.open_accounts && key.starts_with(OPEN_KEY_PREFIX) => {
                Ok(self.own_account(key))
            }
            None => Err(unauthorized()),
        }
    }

    /// The account a test helper means by `key`: the demo account for a
    /// registered key, else the key's own account (made now if new).
    pub(super) fn account_for_helper(&mut self, key: &str) -> &mut Account {
        if self.keys.contains_key(key) {
            &mut self.demo
        } else {
            self.own_account(key)
        }
    }

    fn own_account(&mut self, key: &str) -> &mut Account {
        self.accounts
            .entry(key.to_string())
            .or_insert_with(Account::with_demo_data)
    }

    /// Takes one use of the first fault whose route (and key, if any) matches.
    pub(super) fn take_fault(
        &mut self,
        method: &str,
        path: &str,
        key: Option<&str>,
    ) -> Option<Fault> {
        let idx = self.faults.iter().position(|f| {
            f.times > 0
                && f.route.matches(method, path)
                && f.key.as_deref().is_none_or(|k| Some(k) == key)
        })?;
        // In bounds: `idx` was just returned by `position` on the same vector.
        let entry = &mut self.faults[idx];
        entry.times -= 1;
        let fault = entry.fault.clone();
        if entry.times == 0 {
            self.faults.remove(idx);
        }
        Some(fault)
    }
}

impl Account {
    /// An empty account with the demo practice areas and users.
    pub(super) fn with_demo_data() -> Account {
        let mut account = Account::new();
        account.practice_areas = demo_practice_areas();
        account.users = DEMO_USERS.iter().map(|u| u.to_string()).collect();
        account
    }
}

/// The demo practice areas with stable ids: areas 12, 13, 14; stages 101..
/// in order (every demo account has the same, so one mapping fits all).
fn demo_practice_areas() -> Vec<PracticeArea> {
    let specs: [(&str, &[&str]); 3] = [
        (
            "Workers' Compensation",
            &["Intake", "Treatment", "Settlement", "Closed"],
        ),
        (
            "Personal Injury",
            &["Intake", "Investigation", "Litigation", "Settlement"],
        ),
        ("Family Law", &["Consultation", "Filing", "Resolution"]),
    ];
    let mut stage_id = 101;
    let mut areas = Vec::new();
    for (area_id, (name, stages)) in (12..).zip(specs) {
        let mut list = Vec::new();
        for (position, stage) in (1..).zip(stages.iter()) {
            list.push(Stage {
                id: stage_id,
                name: (*stage).to_string(),
                position,
            });
            stage_id += 1;
        }
        areas.push(PracticeArea {
            id: area_id,
            name: name.to_string(),
            stages: list,
        });
    }
    areas
}

/// The account a control route works on: `?key=KEY`'s (see
/// [`State::account_for_helper`]), else the demo account.
pub(super) fn account_for_control<'a>(st: &'a mut State, req: &Request) -> &'a mut Account {
    match req.param("key") {
        Some(key) => st.account_for_helper(key),
        None => &mut st.demo,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Fault, NewMessage, Route, Sandbox};
    use reqwest::blocking::Client;
    use serde_json::{json, Value};

    fn client() -> Client {
        Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap()
    }

    fn case_body(iid: &str) -> Value {
        json!({"integration_id": iid, "readable_id": format!("WC-2026-{iid}"),
            "practice_area": "Workers' Compensation", "stage": "Treatment",
            "attorney": {"name": "Dana Reyes", "email": "dreyes@firm.example"},
            "client": {"first_name": "Maria", "last_name": "Lopez", "phone": "+1 512 555 0142"}})
    }

    /// Each `sandbox-…` key its own account (demo areas, no cases); the
    /// demo key and registered keys share one; a plain `start` opens none;
    /// a fault aimed at one key leaves the others alone.
    #[test]
    fn one_account_per_sandbox_key() {
        let sb = Sandbox::demo(0).unwrap();
        sb.add_api_key("rotated-key", true);
        let post_as = |key: &str, iid: &str| {
            client()
                .post(format!("{}/v1/api/cases", sb.base_url()))
                .header("Authorization", format!("ApiKey {key}"))
                .json(&case_body(iid))
                .send()
                .unwrap()
                .status()
                .as_u16()
        };
        assert_eq!(post_as("sandbox-firm-a", "1"), 201);
        assert_eq!(
            post_as("sandbox-firm-b", "1"),
            201,
            "same id, other account"
        );
        assert_eq!(post_as("sandbox-firm-a", "1"), 409);
        assert_eq!(post_as(Sandbox::DEMO_KEY, "7"), 201);
        assert_eq!(
            post_as("rotated-key", "7"),
            409,
            "registered keys share the demo account"
        );
        assert_eq!(
            post_as("sandbox-no-api-key", "1"),
            403,
            "special keys keep their meaning"
        );
        assert_eq!(post_as("other-firm", "1"), 401);
        assert_eq!(sb.cases_for("sandbox-firm-a").len(), 1);
        assert_eq!(sb.cases_for("sandbox-firm-b").len(), 1);
        assert_eq!(sb.cases().len(), 1);
        assert_eq!(sb.cases_for("rotated-key").len(), 1);
        sb.add_message_for("sandbox-firm-b", NewMessage::client("1", "C", "hi"));
        assert_eq!(sb.messages_for("sandbox-firm-b").len(), 1);
        assert_eq!(
            sb.messages_for("sandbox-firm-b")[0].readable_id.as_deref(),
            Some("WC-2026-1")
        );
        assert!(sb.messages().is_empty() && sb.messages_for("sandbox-firm-a").is_empty());

        sb.inject_for("sandbox-firm-b", Route::any(), Fault::Status(503), 1);
        assert_eq!(post_as("sandbox-firm-a", "2"), 201, "not firm b: no fault");
        assert_eq!(post_as("sandbox-firm-b", "2"), 503);
        assert_eq!(post_as("sandbox-firm-b", "2"), 201);

        let bare = Sandbox::start(0).unwrap();
        let s = client()
            .get(format!("{}/v1/api/practice_areas", bare.base_url()))
            .header("Authorization", "ApiKey sandbox-firm-a")
            .send()
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(s, 401, "start() opens no accounts");
    }
}
