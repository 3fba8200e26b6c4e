//! Passwords for `accounts create`, `users add` and `users reset-password`: from the flag or its
//! environment variable (clap reads both), else typed at a prompt that does not echo them, twice.
//! A password on the command line stays in the shell's history; the environment variable or
//! the prompt keep it out (README, "First call").

use std::io::IsTerminal;

use anyhow::bail;

/// The shortest password accepted (Constant Contact's sign-in asks for at least 8 characters).
pub const MIN_LENGTH: usize = 8;

/// The password `given` by `--password` or `env`, else one read from the terminal.
pub fn password(given: &Option<String>, env: &str) -> anyhow::Result<String> {
    let password = match given {
        Some(password) => password.clone(),
        None => prompt(env)?,
    };
    if password.chars().count() < MIN_LENGTH {
        bail!("--password must be at least {MIN_LENGTH} characters long");
    }
    Ok(password)
}

fn prompt(env: &str) -> anyhow::Result<String> {
    // rpassword reads the controlling terminal; without one (a script, CI) nobody could answer.
    if !std::io::stdin().is_terminal() {
        bail!("give the password with --password or {env}, or run in a terminal to be prompted");
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Password again: ")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}
