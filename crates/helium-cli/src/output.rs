//! Writing to stdout/stderr without panicking on a closed pipe, and the progress spinner.

use std::io::{IsTerminal as _, Write as _};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Writes a line to stdout; a closed pipe is ignored (no panic, unlike `println!`).
pub(crate) fn out_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Writes text to stdout without a newline and flushes.
pub(crate) fn out_str(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Writes a line to stderr.
pub(crate) fn err_line(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// A spinner line on stderr while waiting; never drawn when stderr is not a terminal or when disabled.
#[derive(Debug)]
pub(crate) struct Progress {
    enabled: bool,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A spinner that is drawn only if `wanted` and stderr is a terminal.
    pub(crate) fn new(wanted: bool) -> Progress {
        Progress {
            enabled: wanted && std::io::stderr().is_terminal(),
            bar: None,
        }
    }

    /// Shows (or updates) the spinner with `message`.
    pub(crate) fn show(&mut self, message: impl Into<String>) {
        if !self.enabled {
            return;
        }
        let message = message.into();
        match &self.bar {
            Some(bar) => bar.set_message(message),
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template("{spinner} {msg} {elapsed:.dim}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                bar.set_style(style.tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "));
                bar.set_message(message);
                bar.enable_steady_tick(Duration::from_millis(100));
                self.bar = Some(bar);
            }
        }
    }

    /// Removes the spinner line (before printing text that may stay mid-line).
    pub(crate) fn hide(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Prints a whole line on stdout without tearing the spinner.
    pub(crate) fn line(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| out_line(line)),
            None => out_line(line),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.hide();
    }
}
