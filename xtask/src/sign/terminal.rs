//! The terminal a ceremony talks to: never stdin/stdout, which a script could drive.

use std::io::{BufRead, BufReader, Write};

use super::{SignError, keys};

pub struct Terminal {
    out: std::fs::File,
    input: BufReader<std::fs::File>,
}

impl Terminal {
    pub fn open(what: &str) -> Result<Terminal, SignError> {
        let refuse = || {
            SignError::Refused(format!(
                "{what} needs a terminal: run it yourself, in an interactive terminal; a signature cannot be \
                 scripted or piped (21 CFR 11.200)"
            ))
        };
        if !keys::is_interactive() {
            return Err(refuse());
        }
        let console = keys::open_console().map_err(|_| refuse())?;
        Ok(Terminal { out: console.output, input: BufReader::new(console.input) })
    }

    pub fn say(&mut self, text: &str) {
        let _ = self.out.write_all(crate::output::printable(text).as_bytes());
        let _ = self.out.flush();
    }

    pub fn ask(&mut self, prompt: &str) -> Result<String, SignError> {
        self.say(prompt);
        let mut line = String::new();
        self.input.read_line(&mut line).map_err(|e| SignError::Refused(format!("terminal closed: {e}")))?;
        Ok(line.trim().to_string())
    }
}
