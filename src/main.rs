//! The `zhiku` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use zhiku::build::{self, Paths};

/// zhiku: build, check and preview a static knowledge base.
#[derive(Parser)]
#[command(name = "zhiku", version, about)]
struct Cli {
    /// Site root: the folder holding `content/` and `themes/`.
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into `public/` (atomically).
    Build {
        /// Output folder (default: <root>/public).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Run every validation without writing anything.
    Check {
        /// Print diagnostics as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Build into memory, serve on 127.0.0.1 and reload open pages on every change.
    Serve {
        /// Port to listen on (0 picks a free one; the URL is printed).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Interface to bind; anything but 127.0.0.1 exposes the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Search the built site's index (builds the site first if it has none).
    Search(SearchArgs),
}

/// Arguments of `zhiku search`.
#[derive(clap::Args)]
struct SearchArgs {
    /// What to look for, as a user would type it.
    query: String,
    /// Most results to show.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Only this kind: faq, rejection, province or tool.
    #[arg(long)]
    kind: Option<String>,
    /// Only results specific to this province id (e.g. guangdong).
    #[arg(long)]
    province: Option<String>,
    /// Print one JSON object per result.
    #[arg(long)]
    json: bool,
    /// Built site folder (default: <root>/public).
    #[arg(long)]
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = cli.root.clone();
    anyhow::ensure!(
        root.join("content").is_dir(),
        "{} has no content/ folder (use --root to point at the site root)",
        root.display()
    );
    match cli.command {
        Command::Build { output } => {
            let mut paths = Paths::new(&root);
            if let Some(o) = output {
                paths.output = o;
            }
            match build::build(&paths) {
                Ok((stats, report)) => {
                    report.print();
                    eprintln!(
                        "built {} files into {} in {} ms ({} warning(s))",
                        stats.files,
                        paths.output.display(),
                        stats.millis,
                        report.warning_count()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err((e, report)) => {
                    report.print();
                    Err(e).context(format!(
                        "build failed; {} is unchanged",
                        paths.output.display()
                    ))
                }
            }
        }
        Command::Serve { port, host, open } => {
            zhiku::serve::serve(zhiku::serve::ServeOptions {
                paths: Paths::new(&root),
                host,
                port,
                open,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search(args) => search(&root, args),
        Command::Check { json } => {
            let (_, report) = build::check(&root);
            if json {
                for d in report.located() {
                    println!("{}", serde_json::to_string(&d)?);
                }
            } else {
                report.print();
            }
            eprintln!(
                "{} error(s), {} warning(s)",
                report.error_count(),
                report.warning_count()
            );
            Ok(if report.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn search(root: &std::path::Path, args: SearchArgs) -> anyhow::Result<ExitCode> {
    use zhiku::search;
    if let Some(kind) = args.kind.as_deref() {
        anyhow::ensure!(
            search_index::Kind::parse(kind).is_some(),
            "unknown --kind {kind:?} (use faq, rejection, province or tool)"
        );
    }
    let mut paths = Paths::new(root);
    if let Some(o) = args.output {
        paths.output = o;
    }
    if !search::manifest_path(&paths.output).is_file() {
        eprintln!(
            "no search index in {}; building the site first",
            paths.output.display()
        );
        if let Err((e, report)) = build::build(&paths) {
            report.print();
            return Err(e).context("build failed");
        }
    }
    let engine = search::load_engine(&paths.output)
        .with_context(|| format!("loading the search index of {}", paths.output.display()))?;
    let hits = engine.search(&search_index::SearchRequest {
        query: args.query,
        limit: args.limit,
        kind: args.kind,
        province: args.province,
    })?;
    if let Err(e) = print_hits(&hits, args.json) {
        // A closed pipe (`zhiku search … | head`) is not an error.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    if hits.is_empty() && !args.json {
        eprintln!("no results");
    }
    Ok(ExitCode::SUCCESS)
}

fn print_hits(hits: &[search_index::Hit], json: bool) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    for (rank, h) in hits.iter().enumerate() {
        let snippet = zhiku::search::plain_text(&h.snippet_html);
        if json {
            let line = serde_json::json!({
                "rank": rank + 1, "id": h.id, "section": h.section, "title": h.title,
                "url": h.url, "kind": h.kind, "score": h.score, "snippet": snippet,
                "snippet_html": h.snippet_html,
            });
            writeln!(out, "{line}")?;
        } else {
            let section = if h.section.is_empty() {
                String::new()
            } else {
                format!(" §{}", h.section)
            };
            writeln!(
                out,
                "{:>2}. {}{}  [{}]  {}",
                rank + 1,
                h.title,
                section,
                h.kind,
                h.url
            )?;
            writeln!(out, "    {snippet}")?;
        }
    }
    out.flush()
}
