//! The operator's commands (issue 25): tokens that follow the server's public URL and 401s
//! that say why in the log, lists, accounts, users, apps and token revocation, help texts, and
//! the README's first-call section run line by line. Each command's success and a refused case
//! with its message, on SQLite and PostgreSQL where the store is involved.

mod support;

use std::time::{Duration, Instant};

use support::{get_status, Server, Workspace};

/// Waits until the server's log holds `needle` (tracing writes each line as it happens).
fn wait_for_log(server: &Server, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.log_text().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "the log never said {needle:?}:\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Issue 25, item 1: `serve` on another port than 8080, then `tokens issue` without
/// `--public-url` gives a token that server accepts; a token for another URL is issued with a
/// warning, and its 401 says "wrong audience" at debug, as every other refusal says its reason.
#[test]
fn tokens_follow_the_servers_public_url_and_each_401_says_why() {
    for (engine, workspace) in Workspace::each_engine() {
        workspace.account("owner@example.com");
        let client_id = workspace.app("Tokens");
        let before = workspace.run(&[
            "tokens",
            "issue",
            "--email",
            "owner@example.com",
            "--client-id",
            &client_id,
            "--scope",
            "contact_data",
        ]);
        assert!(before.status.success(), "{engine:?}");
        assert!(
            String::from_utf8_lossy(&before.stderr).contains("no `roster serve` has run"),
            "{engine:?}: {}",
            String::from_utf8_lossy(&before.stderr)
        );
        let server = Server::start(&workspace, &[], "info,roster_http::auth=debug");
        let url = format!("{}/v3/contact_custom_fields", server.base);
        let short = workspace.token(
            "owner@example.com",
            &client_id,
            "contact_data",
            &["--lifetime", "1"],
        );
        let expired_after = Instant::now() + Duration::from_secs(1 + 5 + 1);

        let token = workspace.token("owner@example.com", &client_id, "contact_data", &[]);
        assert_eq!(get_status(&url, &token), 200, "{engine:?}");

        let elsewhere = workspace.run(&[
            "tokens",
            "issue",
            "--email",
            "owner@example.com",
            "--client-id",
            &client_id,
            "--scope",
            "contact_data",
            "--public-url",
            "http://127.0.0.1:8080",
        ]);
        let warning = String::from_utf8_lossy(&elsewhere.stderr);
        assert!(warning.contains("differs from"), "{engine:?}: {warning}");
        assert!(warning.contains(&server.base), "{engine:?}: {warning}");
        let stdout = String::from_utf8_lossy(&elsewhere.stdout);
        let wrong: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let wrong = wrong["access_token"].as_str().unwrap();
        assert_eq!(get_status(&url, wrong), 401);
        wait_for_log(&server, "wrong audience \"http://127.0.0.1:8080/v3\"");

        assert_eq!(get_status(&url, "not-a-jwt"), 401);
        wait_for_log(&server, "bearer token refused");
        wait_for_log(&server, "malformed token");

        // A token signed by a key this server never had: its header names an unknown kid
        // ({"alg":"RS256","kid":"no-such-key"}).
        let header = "eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vLXN1Y2gta2V5In0";
        let (_, rest) = token.split_once('.').unwrap();
        assert_eq!(get_status(&url, &format!("{header}.{rest}")), 401);
        wait_for_log(&server, "unknown kid \"no-such-key\"");

        workspace.ok(&["tokens", "revoke", &token]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while get_status(&url, &token) != 401 {
            assert!(
                Instant::now() < deadline,
                "{engine:?}: the revoked token still works"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        wait_for_log(&server, "token revoked");

        std::thread::sleep(expired_after.saturating_duration_since(Instant::now()));
        assert_eq!(get_status(&url, &short), 401);
        wait_for_log(&server, "token expired");
        server.stop();
    }
}

/// Issue 25, item 15: `serve` on a busy port stops before it creates the database or the
/// secret key; an empty outbox says so.
#[test]
fn serve_on_a_busy_port_creates_nothing_and_an_empty_outbox_says_so() {
    let workspace = Workspace::sqlite();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = busy.local_addr().unwrap().to_string();
    let refused = workspace.refused(&["serve", "--bind", &address]);
    assert!(
        refused.contains(&format!("cannot listen on {address}")),
        "{refused}"
    );
    assert!(
        !workspace.dir.join("data").exists(),
        "serve created its data directory"
    );

    let output = workspace.run(&["outbox", "list"]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "no messages"
    );
    let output = workspace.run(&["outbox", "list", "--state", "sent"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "no messages in state sent"
    );
}

/// Issue 25, item 2: `lists create|list`, and `--list` by id or name in `import` and
/// `export`; a name that matches nothing, or a value matching two lists, is refused with what
/// it matched.
#[test]
fn lists_are_created_listed_and_named_by_id_or_name() {
    for (engine, workspace) in Workspace::each_engine() {
        workspace.account("owner@example.com");
        let owner = ["--account-email", "owner@example.com"];
        let empty = workspace.run(&["lists", "list", owner[0], owner[1]]);
        assert!(
            empty.status.success() && empty.stdout.is_empty(),
            "{engine:?}"
        );
        assert!(String::from_utf8_lossy(&empty.stderr).contains("no lists"));

        let news = workspace.json(&[
            "lists",
            "create",
            owner[0],
            owner[1],
            "--name",
            "Newsletter",
            "--description",
            "Monthly",
            "--favorite",
        ]);
        assert_eq!(news["name"], "Newsletter", "{engine:?}");
        assert_eq!(news["favorite"], true);
        let news_id = news["list_id"].as_str().unwrap().to_string();
        // A list named like another list's id makes that value ambiguous.
        let confusing =
            workspace.json(&["lists", "create", owner[0], owner[1], "--name", &news_id]);
        let confusing_id = confusing["list_id"].as_str().unwrap().to_string();

        let taken = workspace.refused(&[
            "lists",
            "create",
            owner[0],
            owner[1],
            "--name",
            "NEWSLETTER",
        ]);
        assert!(taken.contains("already"), "{engine:?}: {taken}");
        let blank = workspace.refused(&["lists", "create", owner[0], owner[1], "--name", "  "]);
        assert!(blank.contains("--name must not be blank"), "{blank}");
        let stranger = workspace.refused(&[
            "lists",
            "create",
            "--account-email",
            "nobody@example.com",
            "--name",
            "X",
        ]);
        assert!(
            stranger.contains("no user signs in as nobody@example.com"),
            "{stranger}"
        );

        let listed = workspace.json_lines(&["lists", "list", owner[0], owner[1]]);
        let names: Vec<&str> = listed.iter().map(|l| l["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Newsletter", news_id.as_str()], "{engine:?}");

        let file = workspace.dir.join("people.csv");
        std::fs::write(
            &file,
            "email,first_name\nann@example.com,Ann\nbob@example.com,Bob\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let import = |list: &str| {
            workspace.run(&[
                "import", "contacts", file, owner[0], owner[1], "--list", list,
            ])
        };
        let by_name = import("newsletter");
        assert!(
            by_name.status.success(),
            "{engine:?}: {}",
            String::from_utf8_lossy(&by_name.stderr)
        );
        let listed = workspace.json_lines(&["lists", "list", owner[0], owner[1]]);
        assert_eq!(listed[0]["membership_count"], 2, "{engine:?}: {listed:?}");

        let unknown = import("Customers");
        assert!(!unknown.status.success());
        let message = String::from_utf8_lossy(&unknown.stderr);
        assert!(
            message.contains("--list Customers names no list"),
            "{message}"
        );
        let ambiguous = import(&news_id);
        assert!(!ambiguous.status.success());
        let message = String::from_utf8_lossy(&ambiguous.stderr);
        assert!(message.contains("is ambiguous"), "{message}");
        assert!(
            message.contains(&news_id) && message.contains(&confusing_id),
            "{message}"
        );

        let exported = workspace.ok(&[
            "export",
            "contacts",
            owner[0],
            owner[1],
            "--list",
            "Newsletter",
            "--fields",
            "email",
        ]);
        assert_eq!(
            exported, "email\nann@example.com\nbob@example.com\n",
            "{engine:?}"
        );
        let none = workspace.ok(&[
            "export",
            "contacts",
            owner[0],
            owner[1],
            "--list",
            &confusing_id,
            "--fields",
            "email",
        ]);
        assert_eq!(none, "email\n", "{engine:?}");
    }
}

/// Polls `url` with `token` until it answers `status` (revocations reach a running server
/// within its --revocation-refresh-secs, 1 s here).
fn wait_for_status(url: &str, token: &str, status: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = get_status(url, token);
        if now == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{url} answers {now}, not {status}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The store of a workspace, as the commands open it.
fn store(workspace: &Workspace) -> std::sync::Arc<dyn roster_domain::Store> {
    support::block_on(roster::open_store(&workspace.database_url)).unwrap()
}

/// Issue 25, item 4: `accounts list`, `apps list`, `users list|remove|set-role|reset-password|
/// unlock` and `tokens revoke --email`, each refusing what it cannot do with a message; the
/// changes reach a running server's token checks.
#[test]
fn accounts_apps_users_and_tokens_are_managed_from_the_command_line() {
    for (engine, workspace) in Workspace::each_engine() {
        let none = workspace.run(&["accounts", "list"]);
        assert!(
            none.status.success() && none.stdout.is_empty(),
            "{engine:?}"
        );
        assert!(String::from_utf8_lossy(&none.stderr).contains("no accounts"));
        let none = workspace.run(&["apps", "list"]);
        assert!(String::from_utf8_lossy(&none.stderr).contains("no apps"));

        workspace.account("owner@example.com");
        workspace.account("other@example.com");
        let owner = ["--account-email", "owner@example.com"];
        let ann = workspace.json(&[
            "users",
            "add",
            owner[0],
            owner[1],
            "--email",
            "ann@example.com",
            "--password",
            "ann's long password",
            "--role",
            "author",
            "--first-name",
            "Ann",
        ]);
        assert_eq!(ann["role"], "author", "{engine:?}");
        let accounts = workspace.json_lines(&["accounts", "list"]);
        assert_eq!(accounts.len(), 2, "{engine:?}");
        assert_eq!(
            accounts[0]["owners"],
            serde_json::json!(["owner@example.com"])
        );
        assert_eq!(accounts[0]["users"], 2);
        assert_eq!(
            accounts[1]["owners"],
            serde_json::json!(["other@example.com"])
        );
        let bad_url = workspace
            .command()
            .args(["accounts", "list", "--database-url", "mysql://x"])
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&bad_url.stderr).contains("sqlite:// or postgres://"));

        let client_id = workspace.app("Admin");
        let apps = workspace.json_lines(&["apps", "list"]);
        assert_eq!(apps.len(), 1);
        assert_eq!(
            (&apps[0]["client_id"], &apps[0]["public"]),
            (&client_id.as_str().into(), &false.into())
        );
        assert!(apps[0].get("client_secret").is_none());

        let users = workspace.json_lines(&["users", "list", owner[0], owner[1]]);
        let emails: Vec<&str> = users.iter().map(|u| u["email"].as_str().unwrap()).collect();
        assert_eq!(
            emails,
            ["owner@example.com", "ann@example.com"],
            "{engine:?}"
        );
        let stranger = workspace.refused(&["users", "list", "--account-email", "x@example.com"]);
        assert!(
            stranger.contains("no user signs in as x@example.com"),
            "{stranger}"
        );

        // The last owner can be neither demoted nor removed.
        let demote = workspace.refused(&[
            "users",
            "set-role",
            "--email",
            "owner@example.com",
            "--role",
            "reporter",
        ]);
        assert!(
            demote.contains("last account_owner"),
            "{engine:?}: {demote}"
        );
        let remove = workspace.refused(&["users", "remove", "--email", "owner@example.com"]);
        assert!(remove.contains("last account_owner"), "{remove}");
        let unknown_role = workspace.refused(&[
            "users",
            "set-role",
            "--email",
            "ann@example.com",
            "--role",
            "boss",
        ]);
        assert!(unknown_role.contains("account_manager"), "{unknown_role}");

        let server = Server::start(&workspace, &[], "warn");
        let privileges = format!("{}/v3/account/user/privileges", server.base);
        let contacts = format!("{}/v3/contacts", server.base);
        let ann_token = workspace.token("ann@example.com", &client_id, "contact_data", &[]);
        assert_eq!(
            get_status(&contacts, &ann_token),
            403,
            "{engine:?}: an author"
        );
        let promoted = workspace.json(&[
            "users",
            "set-role",
            "--email",
            "ann@example.com",
            "--role",
            "contact_manager",
        ]);
        assert_eq!(promoted["role"], "contact_manager");
        // The token of the old role is revoked; a new one carries the new role.
        wait_for_status(&privileges, &ann_token, 401);
        let ann_token = workspace.token("ann@example.com", &client_id, "contact_data", &[]);
        assert_eq!(get_status(&contacts, &ann_token), 200, "{engine:?}");

        let owner_token = workspace.token("owner@example.com", &client_id, "contact_data", &[]);
        workspace.ok(&["tokens", "revoke", "--email", "owner@example.com"]);
        wait_for_status(&privileges, &owner_token, 401);
        let fresh = workspace.token("owner@example.com", &client_id, "contact_data", &[]);
        assert_eq!(
            get_status(&privileges, &fresh),
            200,
            "{engine:?}: issued after"
        );
        let nobody = workspace.refused(&["tokens", "revoke", "--email", "nobody@example.com"]);
        assert!(nobody.contains("no user signs in as"), "{nobody}");
        let garbage = workspace.refused(&["tokens", "revoke", "garbage"]);
        assert!(
            garbage.contains("not a token of this database"),
            "{garbage}"
        );
        let neither = workspace.refused(&["tokens", "revoke"]);
        assert!(neither.contains("required"), "{neither}");

        // Removing a user deletes it and stops its tokens.
        workspace.ok(&["users", "remove", "--email", "ann@example.com"]);
        wait_for_status(&contacts, &ann_token, 401);
        let users = workspace.json_lines(&["users", "list", owner[0], owner[1]]);
        assert_eq!(users.len(), 1, "{engine:?}");
        let gone = workspace.refused(&["users", "remove", "--email", "ann@example.com"]);
        assert!(
            gone.contains("no user signs in as ann@example.com"),
            "{gone}"
        );
        server.stop();

        // Locked out after 5 failed sign-ins; unlocked by the operator.
        let store = store(&workspace);
        let key = "account:owner@example.com";
        support::block_on(async {
            let now = roster_domain::Timestamp::now();
            for _ in 0..5 {
                store
                    .record_signin_failure(key, now, now.plus_seconds(-900))
                    .await
                    .unwrap();
            }
        });
        let failures = || {
            support::block_on(store.signin_failures(key, roster_domain::Timestamp::from_millis(0)))
                .unwrap()
        };
        assert_eq!(failures(), 5, "{engine:?}");
        workspace.ok(&["users", "unlock", "--email", "Owner@Example.com"]);
        assert_eq!(failures(), 0, "{engine:?}");
        let unknown = workspace.refused(&["users", "unlock", "--email", "nobody@example.com"]);
        assert!(unknown.contains("no user signs in as"), "{unknown}");

        let short = workspace.refused(&[
            "users",
            "reset-password",
            "--email",
            "owner@example.com",
            "--password",
            "short",
        ]);
        assert!(short.contains("at least 8 characters"), "{short}");
        let reset = workspace
            .command()
            .args(["users", "reset-password", "--email", "owner@example.com"])
            .env("ROSTER_USER_PASSWORD", "a brand new password")
            .output()
            .unwrap();
        assert!(
            reset.status.success(),
            "{}",
            String::from_utf8_lossy(&reset.stderr)
        );
        let email = roster_domain::EmailAddress::parse("owner@example.com").unwrap();
        let user = support::block_on(store.user_by_email(&email))
            .unwrap()
            .unwrap();
        let verified = |password: &str| {
            support::block_on(roster_http::oauth::password::verify_password(
                password.to_string(),
                user.password_hash.clone(),
            ))
            .unwrap()
        };
        assert!(verified("a brand new password"), "{engine:?}");
        assert!(!verified("a long password"), "{engine:?}");
    }
}

/// Runs `roster args` in a pseudo-terminal (util-linux's `script`), typing each of `answers`
/// once the terminal shows its prompt: the exit status and everything the terminal showed.
fn in_terminal(workspace: &Workspace, args: &[&str], answers: &[(&str, &str)]) -> (bool, String) {
    use std::io::{Read, Write};
    let command_line = std::iter::once(support::BIN)
        .chain(args.iter().copied())
        .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut script = std::process::Command::new("script");
    script.args(["-qec", &command_line, "/dev/null"]);
    for (name, value) in workspace.command().get_envs() {
        match value {
            Some(value) => script.env(name, value),
            None => script.env_remove(name),
        };
    }
    let mut child = script
        .env_remove("ROSTER_ACCOUNT_PASSWORD")
        .env_remove("ROSTER_USER_PASSWORD")
        .current_dir(&workspace.dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("script (util-linux) runs");
    let shown = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn({
        let shown = shown.clone();
        move || {
            let mut buffer = [0u8; 1024];
            while let Ok(read) = stdout.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                shown
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    let mut seen = 0;
    for (prompt, typed) in answers {
        // Typed only once the prompt is up (echo off), as a person would.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = shown.lock().unwrap().clone();
            if let Some(at) = text[seen..].find(prompt) {
                seen += at + prompt.len();
                break;
            }
            assert!(Instant::now() < deadline, "no prompt {prompt:?}: {text}");
            std::thread::sleep(Duration::from_millis(20));
        }
        stdin.write_all(format!("{typed}\n").as_bytes()).unwrap();
    }
    let status = child.wait().unwrap();
    drop(stdin);
    reader.join().unwrap();
    let shown = shown.lock().unwrap().clone();
    (status.success(), shown)
}

/// Issue 25, item 11: without --password or its environment variable, the password is asked
/// twice at a prompt that does not echo it; without a terminal the command says how to give it.
#[test]
fn passwords_are_asked_at_a_prompt_without_echo() {
    let workspace = Workspace::sqlite();
    let (ok, shown) = in_terminal(
        &workspace,
        &["accounts", "create", "--email", "tty@example.com"],
        &[
            ("Password: ", "typed secret 1"),
            ("Password again: ", "typed secret 1"),
        ],
    );
    assert!(ok, "{shown}");
    assert!(
        shown.contains("Password: ") && shown.contains("Password again: "),
        "{shown}"
    );
    assert!(shown.contains("tty@example.com"), "{shown}");
    assert!(
        !shown.contains("typed secret"),
        "the password was echoed: {shown}"
    );
    let store = store(&workspace);
    let email = roster_domain::EmailAddress::parse("tty@example.com").unwrap();
    let user = support::block_on(store.user_by_email(&email))
        .unwrap()
        .unwrap();
    assert!(
        support::block_on(roster_http::oauth::password::verify_password(
            "typed secret 1".into(),
            user.password_hash
        ))
        .unwrap()
    );

    let (ok, shown) = in_terminal(
        &workspace,
        &[
            "users",
            "add",
            "--account-email",
            "tty@example.com",
            "--email",
            "b@example.com",
            "--role",
            "author",
        ],
        &[
            ("Password: ", "first password"),
            ("Password again: ", "second password"),
        ],
    );
    assert!(!ok);
    assert!(shown.contains("the two passwords differ"), "{shown}");

    let no_terminal = workspace.refused(&["accounts", "create", "--email", "x@example.com"]);
    assert!(
        no_terminal.contains("ROSTER_ACCOUNT_PASSWORD"),
        "{no_terminal}"
    );
    let from_env = workspace
        .command()
        .args(["accounts", "create", "--email", "env@example.com"])
        .env("ROSTER_ACCOUNT_PASSWORD", "from the environment")
        .output()
        .unwrap();
    assert!(
        from_env.status.success(),
        "{}",
        String::from_utf8_lossy(&from_env.stderr)
    );
}
