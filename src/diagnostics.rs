//! Collected errors and warnings about content, printed rustc-style with file,
//! line, column and the offending text.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Index of a file registered in a [`SourceMap`].
pub type FileId = usize;

/// Every content file read during a build, kept for error reporting.
#[derive(Debug, Clone)]
pub struct SourceMap {
    files: SimpleFiles<String, String>,
    paths: Vec<PathBuf>,
}

impl Default for SourceMap {
    fn default() -> Self {
        SourceMap {
            files: SimpleFiles::new(),
            paths: Vec::new(),
        }
    }
}

impl SourceMap {
    /// Registers a file under its display path (relative to the site root).
    pub fn add(&mut self, display: &Path, text: String) -> FileId {
        self.paths.push(display.to_path_buf());
        self.files
            .add(display.to_string_lossy().replace('\\', "/"), text)
    }

    /// The text of a registered file.
    pub fn text(&self, id: FileId) -> &str {
        self.files
            .get(id)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    /// Empties the text of every file not in `keep` (ids stay valid): a
    /// large build need not hold every source twice once it is checked.
    fn release_except(&mut self, keep: &std::collections::HashSet<FileId>) {
        let mut files = SimpleFiles::new();
        for (id, path) in self.paths.iter().enumerate() {
            let text = if keep.contains(&id) {
                self.text(id).to_string()
            } else {
                String::new()
            };
            files.add(path.to_string_lossy().replace('\\', "/"), text);
        }
        self.files = files;
    }

    /// Bytes of text held, over every file.
    pub fn total_len(&self) -> usize {
        (0..self.paths.len()).map(|id| self.text(id).len()).sum()
    }

    /// The display path of a registered file.
    pub fn path(&self, id: FileId) -> &Path {
        &self.paths[id]
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let text = self.text(id);
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the build.
    Error,
    /// Printed, but the build goes on.
    Warning,
}

/// One problem found in the content.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file it is about.
    pub file: FileId,
    /// Byte range of the offending text.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// Short label shown under the offending text.
    pub label: String,
    /// Extra help lines.
    pub notes: Vec<String>,
    /// When it was found: loading problems (0) are printed before the
    /// validation problems (1) they may cause.
    pub stage: u8,
}

/// A diagnostic flattened for machines (serve overlay, JSON, tests).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Located {
    /// error or warning
    pub severity: Severity,
    /// path relative to the site root
    pub file: String,
    /// 1-based line
    pub line: usize,
    /// 1-based column
    pub column: usize,
    /// what is wrong
    pub message: String,
    /// the offending text
    pub snippet: String,
}

/// All diagnostics of one run, plus the files they point into.
#[derive(Default)]
pub struct Report {
    /// The files read.
    pub sources: SourceMap,
    /// What was found, in discovery order.
    pub items: Vec<Diagnostic>,
    /// Stage given to new diagnostics (see [`Diagnostic::stage`]).
    stage: u8,
}

impl Report {
    /// Records an error.
    pub fn error(
        &mut self,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Severity::Error, file, span, message)
    }

    /// Records a warning.
    pub fn warning(
        &mut self,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Severity::Warning, file, span, message)
    }

    fn push(
        &mut self,
        severity: Severity,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let len = self.sources.text(file).len();
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        self.items.push(Diagnostic {
            severity,
            file,
            span: start..end,
            message: message.into(),
            label: String::new(),
            notes: Vec::new(),
            stage: self.stage,
        });
        self.items.last_mut().expect("just pushed")
    }

    /// Frees the text of every file no diagnostic points into (they are
    /// printed from the texts kept); later diagnostics about other files
    /// would show no source line, so call this only when checking is done.
    pub fn release_unreported_sources(&mut self) {
        let keep = self.items.iter().map(|d| d.file).collect();
        self.sources.release_except(&keep);
    }

    /// From now on, diagnostics are about validation, printed after every
    /// loading problem (which are the primary causes).
    pub fn begin_validation(&mut self) {
        self.stage = 1;
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// True when at least one error was recorded.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// Diagnostics with line/column resolved, sorted by file and position.
    pub fn located(&self) -> Vec<Located> {
        let mut out: Vec<Located> = self
            .items
            .iter()
            .map(|d| {
                let (line, column) = self.sources.line_col(d.file, d.span.start);
                let text = self.sources.text(d.file);
                Located {
                    severity: d.severity,
                    file: self
                        .sources
                        .path(d.file)
                        .to_string_lossy()
                        .replace('\\', "/"),
                    line,
                    column,
                    message: d.message.clone(),
                    snippet: text
                        .get(d.span.clone())
                        .unwrap_or("")
                        .chars()
                        .take(120)
                        .collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        out
    }

    /// Renders every diagnostic rustc-style, without colour.
    pub fn render_plain(&self) -> String {
        let mut buf = termcolor::NoColor::new(Vec::new());
        self.emit(&mut buf);
        String::from_utf8_lossy(&buf.into_inner()).into_owned()
    }

    /// Prints every diagnostic to stderr, coloured when stderr is a terminal.
    pub fn print(&self) {
        let choice = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            termcolor::ColorChoice::Auto
        } else {
            termcolor::ColorChoice::Never
        };
        let stream = termcolor::StandardStream::stderr(choice);
        let mut lock = stream.lock();
        self.emit(&mut lock);
    }

    fn emit(&self, out: &mut dyn termcolor::WriteColor) {
        let config = term::Config::default();
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by_key(|d| {
            (
                d.stage,
                self.sources.path(d.file).to_path_buf(),
                d.span.start,
            )
        });
        for d in items {
            let cs = match d.severity {
                Severity::Error => CsDiagnostic::error(),
                Severity::Warning => CsDiagnostic::warning(),
            };
            let cs = cs
                .with_message(&d.message)
                .with_labels(vec![
                    Label::primary(d.file, d.span.clone()).with_message(&d.label)
                ])
                .with_notes(d.notes.clone());
            // Writing to an in-memory buffer or stderr only fails if stderr is closed.
            let _ = term::emit(out, &config, &self.sources.files, &cs);
        }
    }
}

impl Diagnostic {
    /// Sets the label shown under the offending text.
    pub fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = label.into();
        self
    }

    /// Adds a help line.
    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }
}

/// An error and its causes on one line (`building: writing x: Permission
/// denied`), each message once: a cause whose text the message before it
/// already includes (as many crates' `Display` impls do) is not repeated.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut previous = out.clone();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !previous.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        previous = text;
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod chain_tests {
    use super::error_chain;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot listen on 127.0.0.1:1111")]
    struct Bind(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("server: {0}")]
    struct Repeats(#[source] std::io::Error);

    #[test]
    fn each_cause_is_printed_once() {
        let io = || std::io::Error::new(std::io::ErrorKind::AddrInUse, "Address already in use");
        assert_eq!(
            error_chain(&Bind(io())),
            "cannot listen on 127.0.0.1:1111: Address already in use"
        );
        assert_eq!(
            error_chain(&Repeats(io())),
            "server: Address already in use"
        );
    }
}
