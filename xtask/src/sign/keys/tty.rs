//! Passwords come only from the controlling terminal: never stdin, the environment or an
//! argument, where a script or a CI log could supply or keep them. On Unix that is `/dev/tty`,
//! put in no-echo mode here; on Windows it is the console (`CONIN$` / `CONOUT$`), whose echo
//! `rpassword` turns off.

use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal};
#[cfg(unix)]
use std::io::{Read, Write};
#[cfg(unix)]
use std::os::fd::{AsFd, BorrowedFd};

#[cfg(unix)]
use rustix::termios::{LocalModes, OptionalActions, SpecialCodeIndex, Termios, tcgetattr, tcsetattr};
#[cfg(unix)]
use zeroize::Zeroize;
use zeroize::Zeroizing;

/// Longer input is refused rather than grown: reallocating would leave copies we cannot wipe.
const MAX_PASSWORD_BYTES: usize = 1024;

#[cfg(unix)]
const CTRL_C: u8 = 0x03;
#[cfg(unix)]
const CTRL_D: u8 = 0x04;
#[cfg(unix)]
const CTRL_U: u8 = 0x15;
#[cfg(unix)]
const BACKSPACE: u8 = 0x08;
#[cfg(unix)]
const DELETE: u8 = 0x7f;

/// True only when a person can be asked: the terminal opens and stdin is a terminal.
pub fn is_interactive() -> bool {
    io::stdin().is_terminal() && open_console().is_ok()
}

/// Shows `prompt` on the controlling terminal and reads one line from it without echo.
/// Ctrl-C cancels with `ErrorKind::Interrupted`. The terminal's mode is restored on every return
/// path (a guard), though not if the process is killed by a signal meanwhile.
pub fn read_password(prompt: &str) -> io::Result<Zeroizing<String>> {
    open_console()?.read_hidden_line(prompt)
}

/// The terminal a person types at, never stdin/stdout (which a script could drive).
pub struct Console {
    pub input: File,
    pub output: File,
}

#[cfg(unix)]
pub fn open_console() -> io::Result<Console> {
    let tty = open_tty()?;
    Ok(Console { output: tty.try_clone()?, input: tty })
}

#[cfg(windows)]
pub fn open_console() -> io::Result<Console> {
    let open = |name: &str| {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open(name)
            .map_err(|e| io::Error::new(e.kind(), format!("no console ({name}: {e})")))
    };
    Ok(Console { input: open("CONIN$")?, output: open("CONOUT$")? })
}

impl Console {
    #[cfg(unix)]
    pub fn read_hidden_line(&self, prompt: &str) -> io::Result<Zeroizing<String>> {
        read_hidden_line(&self.input, prompt)
    }

    #[cfg(windows)]
    pub fn read_hidden_line(&self, prompt: &str) -> io::Result<Zeroizing<String>> {
        let line = Zeroizing::new(rpassword::prompt_password(prompt)?);
        if line.len() > MAX_PASSWORD_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("password longer than {MAX_PASSWORD_BYTES} bytes"),
            ));
        }
        Ok(line)
    }
}

#[cfg(unix)]
pub(super) fn open_tty() -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| io::Error::new(e.kind(), format!("no controlling terminal (/dev/tty: {e})")))
}

#[cfg(unix)]
pub(super) fn read_hidden_line(tty: &File, prompt: &str) -> io::Result<Zeroizing<String>> {
    let line = {
        // Echo goes off before the prompt shows, so nothing typed after it is ever echoed.
        let _quiet = Quiet::new(tty.as_fd())?;
        let mut out = tty;
        out.write_all(prompt.as_bytes())?;
        out.flush()?;
        read_line(&mut &*tty)
    };
    // Echo was off, so Enter did not move the cursor; do it whether or not the read succeeded.
    let mut out = tty;
    out.write_all(b"\n")?;
    into_string(line?)
}

#[cfg(unix)]
/// The terminal in a no-echo, key-at-a-time mode until dropped, then exactly as it was.
/// Signals are off too (ISIG): Ctrl-C arrives as a byte we turn into an error, so the guard
/// still runs, where a SIGINT would kill the process and leave the user's terminal mute.
pub(super) struct Quiet<'fd> {
    fd: BorrowedFd<'fd>,
    saved: Termios,
}

#[cfg(unix)]
impl<'fd> Quiet<'fd> {
    pub(super) fn new(fd: BorrowedFd<'fd>) -> io::Result<Quiet<'fd>> {
        let saved = tcgetattr(fd)?;
        let mut quiet = saved.clone();
        quiet.local_modes.remove(
            LocalModes::ECHO
                | LocalModes::ECHOE
                | LocalModes::ECHOK
                | LocalModes::ECHONL
                | LocalModes::ICANON
                | LocalModes::ISIG,
        );
        quiet.special_codes[SpecialCodeIndex::VMIN] = 1;
        quiet.special_codes[SpecialCodeIndex::VTIME] = 0;
        // Flush drops anything typed before the prompt, as getpass(3) does.
        tcsetattr(fd, OptionalActions::Flush, &quiet)?;
        Ok(Quiet { fd, saved })
    }
}

#[cfg(unix)]
impl Drop for Quiet<'_> {
    fn drop(&mut self) {
        let _ = tcsetattr(self.fd, OptionalActions::Now, &self.saved);
    }
}

#[cfg(unix)]
/// One line, with the editing keys a canonical-mode terminal would have handled for us.
fn read_line(input: &mut impl Read) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_BYTES));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        match input.read(&mut byte[..]) {
            Ok(0) if line.is_empty() => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "no password given")),
            Ok(0) => return Ok(line),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        match byte[0] {
            b'\r' | b'\n' => return Ok(line),
            CTRL_C => return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled (Ctrl-C)")),
            CTRL_D if line.is_empty() => {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cancelled (Ctrl-D)"));
            }
            CTRL_D => {}
            CTRL_U => line.zeroize(),
            BACKSPACE | DELETE => {
                // Remove one whole character: UTF-8 continuation bytes are 0b10xx_xxxx.
                while let Some(removed) = line.pop() {
                    if removed & 0xc0 != 0x80 {
                        break;
                    }
                }
            }
            _ if line.len() >= MAX_PASSWORD_BYTES => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("password longer than {MAX_PASSWORD_BYTES} bytes"),
                ));
            }
            other => line.push(other),
        }
    }
}

#[cfg(unix)]
fn into_string(mut bytes: Zeroizing<Vec<u8>>) -> io::Result<Zeroizing<String>> {
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            e.into_bytes().zeroize();
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the password is not valid UTF-8; check the terminal's encoding",
            ))
        }
    }
}

#[cfg(test)]
pub(super) fn read_line_for_test(input: &[u8]) -> io::Result<Zeroizing<String>> {
    into_string(read_line(&mut &input[..])?)
}
