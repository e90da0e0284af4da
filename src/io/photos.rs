//! What a photo says about itself: the time the camera recorded (EXIF DateTimeOriginal, or
//! DateTime), read with the kamadak-exif crate. A photo without it, or with an unreadable one,
//! simply has no time — the upload's own time is always recorded beside it.
use chrono::NaiveDateTime;

/// The camera's local time of taking the photo, if the JPEG or PNG carries it.
pub fn taken_at(bytes: &[u8]) -> Option<NaiveDateTime> {
    let mut cursor = std::io::Cursor::new(bytes);
    let exif = exif::Reader::new().read_from_container(&mut cursor).ok()?;
    [exif::Tag::DateTimeOriginal, exif::Tag::DateTime]
        .into_iter()
        .find_map(|tag| {
            let field = exif.get_field(tag, exif::In::PRIMARY)?;
            match &field.value {
                exif::Value::Ascii(parts) => {
                    let dt = exif::DateTime::from_ascii(parts.first()?).ok()?;
                    let date = chrono::NaiveDate::from_ymd_opt(
                        i32::from(dt.year),
                        u32::from(dt.month),
                        u32::from(dt.day),
                    )?;
                    date.and_hms_opt(
                        u32::from(dt.hour),
                        u32::from(dt.minute),
                        u32::from(dt.second),
                    )
                }
                _ => None,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_without_exif_has_no_time() {
        let png = std::fs::read("tests/fixtures/documents/plan.png").unwrap_or_default();
        assert_eq!(taken_at(&png), None);
        assert_eq!(taken_at(b"not an image"), None);
    }

    #[test]
    fn a_photo_with_exif_has_the_time_the_camera_recorded() {
        let jpeg = std::fs::read("tests/fixtures/documents/site-photo.jpg").unwrap();
        let expected =
            chrono::NaiveDate::from_ymd_opt(2026, 11, 20).and_then(|d| d.and_hms_opt(10, 32, 5));
        assert_eq!(taken_at(&jpeg), expected);
    }
}
