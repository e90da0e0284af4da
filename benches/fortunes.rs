//! The load benchmark's baseline: TechEmpower's "fortunes" test on this project's own stack
//! (axum, sqlx over PostgreSQL, askama, tokio; the same pinned versions). Each request reads the
//! 12-row `fortune` table, adds one row, sorts by message and renders an escaped HTML table: the
//! practical limit of a page backed by one query on this machine. `benches/load.sh` runs it
//! beside the application's pages.
//!
//! Usage: `fortunes DATABASE_URL [BIND]` (or `FORTUNES_DATABASE_URL`, `FORTUNES_BIND`; default
//! bind 127.0.0.1:8181). It creates and fills the table in the given database, then serves
//! `GET /fortunes` until SIGTERM / Ctrl-C.
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

const MESSAGES: [&str; 12] = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "フレームワークのベンチマーク",
];

#[derive(sqlx::FromRow)]
struct Fortune {
    id: i32,
    message: String,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>\
<tr><th>id</th><th>message</th></tr>\
{% for f in fortunes %}<tr><td>{{ f.id }}</td><td>{{ f.message }}</td></tr>{% endfor %}\
</table></body></html>"
)]
struct FortunesPage {
    fortunes: Vec<Fortune>,
}

async fn fortunes(State(pool): State<PgPool>) -> Response {
    let rows: Result<Vec<Fortune>, _> = sqlx::query_as("SELECT id, message FROM fortune")
        .fetch_all(&pool)
        .await;
    let mut fortunes = match rows {
        Ok(rows) => rows,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".into(),
    });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    match (FortunesPage { fortunes }).render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn setting(position: usize, env: &str) -> Option<String> {
    // `cargo bench` appends `--bench`; flags are not ours.
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .nth(position)
        .or_else(|| std::env::var(env).ok())
        .filter(|s| !s.is_empty())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(url) = setting(0, "FORTUNES_DATABASE_URL") else {
        eprintln!("usage: fortunes DATABASE_URL [BIND]  (or FORTUNES_DATABASE_URL, FORTUNES_BIND)");
        std::process::exit(2);
    };
    let bind = setting(1, "FORTUNES_BIND").unwrap_or_else(|| "127.0.0.1:8181".into());
    // The same pool size as the application's.
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .connect(&url)
        .await?;
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS fortune;
         CREATE TABLE fortune (id INT PRIMARY KEY, message VARCHAR(2048) NOT NULL);",
    )
    .execute(&pool)
    .await?;
    for (i, m) in MESSAGES.iter().enumerate() {
        sqlx::query("INSERT INTO fortune (id, message) VALUES ($1, $2)")
            .bind(i as i32 + 1)
            .bind(m)
            .execute(&pool)
            .await?;
    }
    let app = Router::new()
        .route("/fortunes", get(fortunes))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!(
        "fortunes baseline at http://{}/fortunes",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {},
                _ = term.recv() => {},
            }
        })
        .await?;
    Ok(())
}
