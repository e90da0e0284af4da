//! What waits for the bureau: the counts behind its home page's to-do list.
use sqlx::PgPool;

/// One kind of waiting work: `subject_id` and `subject` name the call, round or order it
/// belongs to (0 and empty for tenant-wide counts).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Waiting {
    pub kind: String,
    pub subject_id: i64,
    pub subject: String,
    pub n: i64,
}

/// Applications waiting for a bureau decision (per call and state), objections not yet
/// decided, reports waiting to be accepted, rectification reports to judge and re-review
/// parks not yet decided.
pub async fn bureau(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query_as(
        "SELECT a.state AS kind, c.id AS subject_id, c.title AS subject, count(*) AS n
           FROM applications a JOIN calls c ON c.tenant_id = a.tenant_id AND c.id = a.call_id
          WHERE a.tenant_id = $1 AND a.state IN ('forwarded', 'reviewed', 'publicity_closed')
          GROUP BY a.state, c.id, c.title
         UNION ALL
         SELECT 'objection', 0, '', count(*) FROM objections
          WHERE tenant_id = $1 AND state IN ('filed', 'investigating') HAVING count(*) > 0
         UNION ALL
         SELECT 'report', 0, '', count(*) FROM periodic_reports
          WHERE tenant_id = $1
            AND (state = 'county_passed' OR (state = 'submitted' AND kind <> 'park_quarter'))
         HAVING count(*) > 0
         UNION ALL
         SELECT 'rectification', o.id, w.park_name, 1
           FROM rectification_orders o JOIN awards w ON w.tenant_id = o.tenant_id AND w.id = o.award_id
          WHERE o.tenant_id = $1 AND o.state = 'responded'
         UNION ALL
         SELECT 're_review', r.id, r.title, count(*)
           FROM re_review_parks p JOIN re_reviews r ON r.tenant_id = p.tenant_id AND r.id = p.re_review_id
          WHERE p.tenant_id = $1 AND p.result IS NULL
          GROUP BY r.id, r.title
         ORDER BY 1, 2",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}
