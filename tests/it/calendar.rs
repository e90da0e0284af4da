//! The working-day calendar kept in the database and maintained by the admin.
use crate::helpers::TestApp;
use axum::http::StatusCode;
use parkcert::domain::workdays::Calendar;

#[tokio::test]
async fn the_stored_calendar_is_the_programs_own_seed_data() {
    let app = TestApp::spawn().await;
    let stored = parkcert::db::calendar::load(&app.db).await.unwrap();
    assert_eq!(stored, Calendar::builtin());
}

#[tokio::test]
async fn the_admin_sees_a_year_and_imports_the_next_one_all_or_nothing() {
    let mut app = TestApp::spawn().await;
    app.sign_in_admin().await;
    app.get("/admin/calendar?year=2026")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("国庆节")
        .assert_contains("调休上班")
        // October 2026: 22 weekdays, 5 of them off (1, 2, 5, 6, 7), and Saturday the 10th worked.
        .assert_contains("10 月（工作日 18 天）");
    app.get("/admin/calendar?year=2027")
        .await
        .assert_contains("2027 年的节假日安排尚未导入");

    let bad = "date,kind,name\n2027-01-01,holiday,元旦\n";
    app.get("/admin/calendar").await;
    app.post_multipart(
        "/admin/calendar/import",
        &[("source", "国务院办公厅关于2027年部分节假日安排的通知")],
        &[("file", "2027.csv", bad.as_bytes())],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("导入失败，日历未改变")
    .assert_contains("类型“holiday”无效");

    // A made-up but complete year: eleven days off and one worked Saturday.
    let mut csv = String::from("date,kind,name\n");
    for d in 1..=3 {
        csv.push_str(&format!("2027-01-0{d},off,元旦\n"));
    }
    for d in 1..=8 {
        csv.push_str(&format!("2027-10-0{d},off,国庆节\n"));
    }
    csv.push_str("2027-10-09,work,国庆节\n");
    app.post_multipart(
        "/admin/calendar/import",
        &[("source", "国务院办公厅关于2027年部分节假日安排的通知")],
        &[("file", "2027.csv", csv.as_bytes())],
    )
    .await
    .assert_redirect_to("/admin/calendar?year=2027");
    let stored = parkcert::db::calendar::load(&app.db).await.unwrap();
    assert!(stored.covers(2027));
    assert!(stored.covers(2026), "other years are kept");
    let saturday = chrono::NaiveDate::from_ymd_opt(2027, 10, 9).unwrap();
    assert_eq!(stored.is_working_day(saturday), Ok(true));

    // Only the platform admin maintains the calendar.
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let page = bureau.get("/admin/calendar").await;
    assert_ne!(page.status, StatusCode::OK);
    page.assert_not_contains("国庆节");
}
