//! The `zhiku` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use zhiku::build::{self, Paths};

/// mimalloc rather than glibc's allocator: on a 50,000-entry build glibc's
/// per-thread arenas kept peak RSS far above the live heap (and allocation
/// is a sixth of a build's CPU). Built without transparent huge pages,
/// which tripled the resident memory of a small site's build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Start a new knowledge base: a small valid site that `serve` shows at once.
    Init {
        /// Folder to create the site in (default: the --root folder).
        dir: Option<PathBuf>,
        /// Language of the starter content and the interface.
        #[arg(long, default_value = "en", value_parser = clap::builder::PossibleValuesParser::new(zhiku::init::STARTER_LANGUAGES))]
        lang: String,
        /// Add the starter files to a folder that already has files (existing files are never overwritten).
        #[arg(long)]
        force: bool,
    },
    /// Work with the site's theme.
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// Build the site into `public/` (atomically).
    Build {
        /// Output folder (default: <root>/public).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Use this base URL instead of site.toml's for this build (e.g. a
        /// preview deployment at https://preview.example.cn/pr-12/).
        #[arg(long, value_parser = parse_base_url)]
        base_url: Option<String>,
        /// Print how long each phase of the build took.
        #[arg(long)]
        timings: bool,
    },
    /// Run every validation without writing anything.
    Check {
        /// Print diagnostics as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Check a proposed website or APP name against the filing rules.
    ///
    /// Exit status: 0 pass or warn, 3 block, 2 bad input.
    CheckName {
        /// Province: pinyin id (guangdong), full name (广东省), name (广东) or abbreviation (粤).
        #[arg(long)]
        province: String,
        /// The site is filed by an individual (个人).
        #[arg(long, conflicts_with = "organisation")]
        individual: bool,
        /// The site is filed by an organisation (单位; the default).
        #[arg(long, alias = "organization")]
        organisation: bool,
        /// Check an APP name (adds the APP rules).
        #[arg(long)]
        app: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// The proposed name.
        name: String,
    },
    /// List the pre-approval (前置审批) categories a business scope or site description touches.
    ///
    /// Exit status: 0 on success, 2 bad input.
    CheckPreapproval {
        /// Province: pinyin id, full name, name or abbreviation.
        #[arg(long)]
        province: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Business scope or site description.
        text: String,
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
        /// Seconds a client may take to send request headers; idle connections close after it.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
        idle_timeout: u64,
        /// Most connections open at once (later clients wait until one closes).
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        max_connections: u64,
    },
    /// Search the built site's index (builds the site first if it has none).
    Search(SearchArgs),
}

/// `zhiku theme …`.
#[derive(Subcommand)]
enum ThemeCommand {
    /// Copy the built-in theme into themes/NAME/ to change it freely.
    Eject {
        /// Name of the new site theme (a folder under themes/).
        #[arg(default_value = "custom")]
        name: String,
    },
}

/// Arguments of `zhiku search`.
#[derive(clap::Args)]
struct SearchArgs {
    /// What to look for, as a user would type it.
    query: String,
    /// Most results to show (at least 1).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1000))]
    limit: u64,
    /// Only this kind: faq, rejection, province or tool.
    #[arg(long)]
    kind: Option<String>,
    /// Only results specific to this province: id, full name, name or
    /// abbreviation (guangdong, 广东省, 广东, 粤).
    #[arg(long)]
    province: Option<String>,
    /// Ranked results to skip (shows the next page).
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// Rebuild the site first (the index answers from the last build).
    #[arg(long)]
    rebuild: bool,
    /// Print one JSON object per result.
    #[arg(long)]
    json: bool,
    /// Built site folder (default: <root>/public).
    #[arg(long)]
    output: Option<PathBuf>,
}

fn parse_base_url(s: &str) -> Result<String, String> {
    zhiku::content::check_base_url(s).map(|()| s.to_string())
}

/// Exit status for bad input (unknown province, empty name), as clap uses for bad arguments.
const EXIT_BAD_INPUT: u8 = 2;
/// Exit status of a name check that found a blocking problem.
const EXIT_BLOCK: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", zhiku::diagnostics::error_chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}

/// Loads the province data and the link table of the site at `root`.
fn rule_data(root: &std::path::Path) -> anyhow::Result<zhiku::tools::RuleData> {
    Ok(zhiku::tools::RuleData::load(root)?)
}

fn bad_input(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = cli.root.clone();
    if let Command::Init { dir, lang, force } = &cli.command {
        let dir = dir.clone().unwrap_or_else(|| root.clone());
        let written = zhiku::init::init(&dir, lang, *force)?;
        eprintln!(
            "created a {lang} knowledge base in {} ({} files). Next:\n  zhiku --root {} serve",
            dir.display(),
            written.len(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    anyhow::ensure!(
        root.join("content").is_dir(),
        "{} has no content/ folder (use --root to point at the site root)",
        root.display()
    );
    match cli.command {
        Command::Init { .. } => unreachable!("handled above"),
        Command::Theme(ThemeCommand::Eject { name }) => {
            anyhow::ensure!(
                zhiku::content::ids::is_slug(&name),
                "theme name `{name}`: use lower-case letters, digits and -"
            );
            let dest = zhiku::theme::theme_dir(&root, &name);
            anyhow::ensure!(
                !dest.exists(),
                "{} exists already; choose another name or remove it",
                dest.display()
            );
            let n = zhiku::theme::Theme::eject(&dest)?;
            eprintln!(
                "copied the built-in theme ({n} files) to {}.\nAdd `theme = \"{name}\"` to content/site.toml to use it; files you delete from it come from the built-in theme again.",
                dest.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Build {
            output,
            base_url,
            timings,
        } => {
            let mut paths = Paths::new(&root);
            if let Some(o) = output {
                paths.output = o;
            }
            paths.base_url = base_url;
            match build::build(&paths) {
                Ok((stats, report)) => {
                    report.print();
                    eprintln!(
                        "built {} files into {} in {} ms ({} written, {} unchanged, {} removed; {} of {} pages rendered; {} warning(s))",
                        stats.files,
                        paths.output.display(),
                        stats.millis,
                        stats.written,
                        stats.files - stats.written,
                        stats.removed,
                        stats.rendered,
                        stats.pages,
                        report.warning_count()
                    );
                    if timings {
                        print_timings(&stats);
                    }
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
        Command::Serve {
            port,
            host,
            open,
            idle_timeout,
            max_connections,
        } => {
            zhiku::serve::serve(zhiku::serve::ServeOptions {
                paths: Paths::new(&root),
                host,
                port,
                open,
                limits: zhiku::serve::listen::Limits {
                    header_timeout: std::time::Duration::from_secs(idle_timeout),
                    max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
                },
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
        Command::CheckName {
            province,
            individual,
            organisation: _,
            app,
            json,
            name,
        } => {
            use search_index::rules::name::{check_name, Subject};
            let data = rule_data(&root)?;
            let p = match data.province(&province) {
                Ok(p) => p,
                Err(e) => return Ok(bad_input(e)),
            };
            if name.trim().is_empty() {
                return Ok(bad_input("the name is empty"));
            }
            let subject = if individual {
                Subject::Individual
            } else {
                Subject::Organisation
            };
            let mut report = check_name(p, subject, app, &name);
            data.resolve(&mut report.findings, &mut report.notes);
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!(
                    "{}",
                    zhiku::tools::name_text(p, subject, app, &name, &report)
                );
            }
            Ok(match report.verdict {
                search_index::rules::Verdict::Block => ExitCode::from(EXIT_BLOCK),
                _ => ExitCode::SUCCESS,
            })
        }
        Command::CheckPreapproval {
            province,
            json,
            text,
        } => {
            let data = rule_data(&root)?;
            let p = match data.province(&province) {
                Ok(p) => p,
                Err(e) => return Ok(bad_input(e)),
            };
            if text.trim().is_empty() {
                return Ok(bad_input("the text is empty"));
            }
            let mut report = search_index::rules::preapproval::check_preapproval(p, &text);
            data.resolve(&mut report.findings, &mut report.notes);
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", zhiku::tools::preapproval_text(&report));
            }
            Ok(ExitCode::SUCCESS)
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
    let missing = !search::manifest_path(&paths.output).is_file();
    if missing {
        eprintln!(
            "no search index in {}; building the site first",
            paths.output.display()
        );
    }
    if missing || args.rebuild {
        if let Err((e, report)) = build::build(&paths) {
            report.print();
            return Err(e).context("build failed");
        }
    } else if let Some(newer) = search::newer_than_index(&root.join("content"), &paths.output) {
        eprintln!(
            "warning: {} changed after the index in {} was built; results may be stale \
             (run `zhiku build` or pass --rebuild)",
            newer.display(),
            paths.output.display()
        );
    }
    let mut report = zhiku::diagnostics::Report::default();
    let Some((config, _)) = zhiku::content::load_site_config(root, &mut report) else {
        report.print();
        anyhow::bail!("content/site.toml is unusable");
    };
    let mut engine = search::load_engine(&paths.output)
        .with_context(|| format!("loading the search index of {}", paths.output.display()))?;
    if let Some(p) = args.province.as_deref() {
        if let Err(e) = engine.province_id(p) {
            return Ok(bad_input(e));
        }
    }
    let offset = usize::try_from(args.offset).unwrap_or(usize::MAX);
    let req = search_index::SearchRequest {
        query: args.query,
        limit: usize::try_from(args.limit).unwrap_or(1000),
        kind: args.kind,
        province: args.province,
        offset,
    };
    let hits = engine.search(&req)?;
    if let Err(e) = print_hits(&hits, offset, &config, args.json) {
        // A closed pipe (`zhiku search … | head`) is not an error.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    if hits.is_empty() && !args.json {
        eprintln!("no results");
    }
    if !args.json && offset == 0 {
        let suggestions = engine.suggestions(&req)?;
        if !suggestions.is_empty() {
            eprintln!("no close match; these pages may help:");
            for h in &suggestions {
                eprintln!("  {}  {}", h.title, config.cli_url(&h.url));
            }
            if paths.output.join("rejections").join("index.html").is_file() {
                eprintln!("  rejection reasons  {}", config.cli_url("/rejections/"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_hits(
    hits: &[search_index::Hit],
    offset: usize,
    config: &zhiku::content::SiteConfig,
    json: bool,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    for (i, h) in hits.iter().enumerate() {
        let rank = offset + i;
        let snippet = zhiku::search::plain_text(&h.snippet_html);
        let url = config.cli_url(&h.url);
        if json {
            let line = serde_json::json!({
                "rank": rank + 1, "id": h.id, "section": h.section, "title": h.title,
                "url": url, "kind": h.kind, "score": h.score, "snippet": snippet,
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
                url
            )?;
            writeln!(out, "    {snippet}")?;
        }
    }
    out.flush()
}

/// `zhiku build --timings`: one line per phase, on stderr beside the summary.
fn print_timings(stats: &build::BuildStats) {
    eprintln!("timings:");
    for (phase, took) in &stats.timings.phases {
        eprintln!("  {:>8.1} ms  {phase}", took.as_secs_f64() * 1000.0);
    }
    eprintln!("  {:>8} ms  total", stats.millis);
}
