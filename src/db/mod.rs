//! Queries. Every query on tenant-owned data takes the tenant id and filters by it.
pub mod applications;
pub mod audit;
pub mod awards;
pub mod batches;
pub mod calendar;
pub mod calls;
pub mod documents;
pub mod events;
pub mod experts;
pub mod inspections;
pub mod institutions;
pub mod jurisdictions;
pub mod monitoring;
pub mod objections;
pub mod organizations;
pub mod outbox;
pub mod panels;
pub mod paper;
pub mod publicity;
pub mod re_review_panels;
pub mod rulesets;
pub mod scope;
pub mod security_policy;
pub mod tenants;
pub mod titles;
pub mod todo;
pub mod transition;
pub mod users;
pub mod versions;

/// Maps a unique-constraint violation to `Some(constraint name)` so callers can turn it into a
/// message next to the right form field.
pub fn unique_violation(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            Some(db.constraint().unwrap_or_default().to_string())
        }
        _ => None,
    }
}

/// Whether the database answers (the health check).
pub async fn ping(pool: &sqlx::PgPool) -> sqlx::Result<()> {
    sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(pool)
        .await
        .map(drop)
}

/// A machine's state stored as its name in a TEXT column, read back as the domain's enum: a
/// row whose state is not one of the machine's is a decoding error, never a silent string.
macro_rules! stored_by_name {
    ($($t:ty),+ $(,)?) => {$(
        impl sqlx::Type<sqlx::Postgres> for $t {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $t {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let name = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Ok(name.parse::<$t>()?)
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }
    )+};
}

stored_by_name!(
    crate::domain::workflow::CallState,
    crate::domain::workflow::NoticeState,
    crate::domain::workflow::ObjectionState,
    crate::domain::workflow::PanelState,
    crate::domain::workflow::SheetState,
);
