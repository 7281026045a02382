//! `obsgate checks`: list every registered check (table or JSON), or `checks explain ID` one
//! of them by pattern or concrete id; an unknown id is exit 2 with the closest ids. The
//! registry and its formatting live in `crate::check::registry`.

use crate::check::registry;
use crate::cli::{ChecksArgs, ChecksCommand, OutputFormat};
use crate::exit::{AppError, AppResult, Outcome};

/// Entry point of `obsgate checks`.
pub async fn run(args: ChecksArgs) -> AppResult {
    let text = match &args.command {
        None => {
            let all = registry::all();
            match args.output {
                OutputFormat::Human => registry::table(&all),
                OutputFormat::Json => registry::json(&all),
            }
        }
        Some(ChecksCommand::Explain(e)) => match registry::find(&e.id) {
            Some(c) => registry::explain(c, &e.id),
            None => return Err(AppError::usage(unknown(&e.id))),
        },
    };
    // A closed pipe (`obsgate checks | head`) is not an error.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    Ok(Outcome::Pass)
}

/// The message for an id no registered pattern matches, with the closest ones.
fn unknown(id: &str) -> String {
    let close = registry::suggest(id);
    let hint = if close.is_empty() {
        "`obsgate checks` lists every check".to_string()
    } else {
        let list: Vec<String> = close.iter().map(|p| format!("`{p}`")).collect();
        format!("did you mean {}?", list.join(", "))
    };
    format!("unknown check id `{id}`: no registered check matches it; {hint}")
}
