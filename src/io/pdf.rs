//! Printable documents as PDF: A4 pages of flowing text, key–value rows, tables and signature
//! boxes. Text uses the PDF standard's predefined Chinese font STSong-Light (Adobe-GB1,
//! UCS-2 encoding), which every PDF reader maps to an installed Song typeface, so files stay
//! small and no font ships with the program.
use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

pub const A4_PORTRAIT: (f32, f32) = (595.0, 842.0);
pub const A4_LANDSCAPE: (f32, f32) = (842.0, 595.0);
const MARGIN: f32 = 50.0;
const LEADING: f32 = 1.45;
const CELL_PAD: f32 = 2.5;

fn row_height(cells: &[Vec<String>], size: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * size * 1.25 + 2.0 * CELL_PAD
}

/// UTF-16 big-endian, as the UniGB-UCS2-H encoding reads it.
pub fn ucs2(text: &str) -> Object {
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Approximate advance: CJK characters take a full em, ASCII half.
pub fn width(text: &str, size: f32) -> f32 {
    text.chars().map(char_em).sum::<f32>() * size
}

fn char_em(c: char) -> f32 {
    if c.is_ascii() { 0.5 } else { 1.0 }
}

/// The Type0 font dictionary for STSong-Light.
fn font() -> Dictionary {
    let descriptor = dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "STSong-Light",
        "Flags" => 6,
        "FontBBox" => vec![(-25).into(), (-254).into(), 1000.into(), 880.into()],
        "ItalicAngle" => 0,
        "Ascent" => 880,
        "Descent" => -120,
        "CapHeight" => 880,
        "StemV" => 93,
    };
    let cid_font = dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType0",
        "BaseFont" => "STSong-Light",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("GB1"),
            "Supplement" => 4,
        },
        "FontDescriptor" => descriptor,
        "DW" => 1000,
        // Latin letters and digits are half-width in Adobe-GB1 (both its proportional range
        // and the half-width range UniGB-UCS2-H maps ASCII to).
        "W" => vec![1.into(), 95.into(), 500.into(), 814.into(), 907.into(), 500.into()],
    };
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "STSong-Light",
        "Encoding" => "UniGB-UCS2-H",
        "DescendantFonts" => vec![cid_font.into()],
    }
}

/// Splits `text` into lines no wider than `room` at `size` (any character may end a line, as
/// in Chinese typesetting; a newline always does).
pub fn wrap(text: &str, size: f32, room: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for c in paragraph.chars().filter(|c| !c.is_control()) {
            let w = char_em(c) * size;
            if used + w > room && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0.0;
            }
            line.push(c);
            used += w;
        }
        lines.push(line);
    }
    lines
}

/// A table column: its title and its share of the width.
pub struct Column<'a> {
    pub title: &'a str,
    pub weight: f32,
}

/// A document written top to bottom; a new page begins when the current one is full.
pub struct Writer {
    pages: Vec<((f32, f32), Vec<Operation>)>,
    y: f32,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        let mut w = Writer {
            pages: Vec::new(),
            y: 0.0,
        };
        w.new_page(A4_PORTRAIT);
        w
    }

    fn size(&self) -> (f32, f32) {
        self.pages.last().map(|(s, _)| *s).unwrap_or(A4_PORTRAIT)
    }

    fn room(&self) -> f32 {
        self.size().0 - 2.0 * MARGIN
    }

    fn ops(&mut self) -> &mut Vec<Operation> {
        &mut self.pages.last_mut().expect("a page").1
    }

    /// Starts a page of the given size (portrait or landscape A4).
    pub fn new_page(&mut self, size: (f32, f32)) {
        self.pages.push((size, Vec::new()));
        self.y = size.1 - MARGIN;
    }

    /// Moves to a new page unless `height` still fits on this one.
    fn keep(&mut self, height: f32) {
        if self.y - height < MARGIN + 20.0 {
            let size = self.size();
            self.new_page(size);
        }
    }

    fn text_at(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        self.ops().extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), size.into()]),
            Operation::new("Td", vec![x.into(), baseline.into()]),
            Operation::new("Tj", vec![ucs2(text)]),
            Operation::new("ET", vec![]),
        ]);
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.ops().extend([
            Operation::new("w", vec![0.6.into()]),
            Operation::new("re", vec![x.into(), y.into(), w.into(), h.into()]),
            Operation::new("S", vec![]),
        ]);
    }

    /// A line of text centred on the page.
    pub fn title(&mut self, text: &str, size: f32) {
        for line in wrap(text, size, self.room()) {
            self.keep(size * LEADING);
            self.y -= size * LEADING;
            let x = (self.size().0 - width(&line, size)) / 2.0;
            self.text_at(x, self.y, size, &line);
        }
    }

    /// A line of text at the right margin.
    pub fn right(&mut self, text: &str, size: f32) {
        self.keep(size * LEADING);
        self.y -= size * LEADING;
        let x = self.size().0 - MARGIN - width(text, size);
        self.text_at(x, self.y, size, text);
    }

    /// A heading over what follows: kept on the page of the first lines after it.
    pub fn heading(&mut self, text: &str, size: f32) {
        self.keep(size * LEADING * 4.0);
        self.paragraph(text, size);
        self.gap(size * 0.4);
    }

    /// Flowing text, wrapped at the margins.
    pub fn paragraph(&mut self, text: &str, size: f32) {
        let room = self.room();
        for line in wrap(text, size, room) {
            self.keep(size * LEADING);
            self.y -= size * LEADING;
            self.text_at(MARGIN, self.y, size, &line);
        }
    }

    pub fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    /// A framed table; long cells wrap within their column, a row never splits across pages
    /// and each page the table reaches starts with its header again.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], size: f32) {
        let total: f32 = columns.iter().map(|c| c.weight).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| self.room() * c.weight / total)
            .collect();
        let header: Vec<String> = columns.iter().map(|c| c.title.to_string()).collect();
        // Columns without titles make a table without a header row (label–value pairs).
        let header = columns
            .iter()
            .any(|c| !c.title.is_empty())
            .then(|| self.cells(&widths, &header, size));
        let first = rows.first().map(|r| self.cells(&widths, r, size));
        let opening = header.as_ref().map_or(0.0, |h| row_height(h, size))
            + first.as_ref().map_or(0.0, |r| row_height(r, size));
        self.keep(opening);
        if let Some(header) = &header {
            self.draw_row(&widths, header, size);
        }
        for cells in rows {
            let cells = self.cells(&widths, cells, size);
            if self.y - row_height(&cells, size) < MARGIN + 20.0 {
                let page = self.size();
                self.new_page(page);
                if let Some(header) = &header {
                    self.draw_row(&widths, header, size);
                }
            }
            self.draw_row(&widths, &cells, size);
        }
    }

    fn cells(&self, widths: &[f32], cells: &[String], size: f32) -> Vec<Vec<String>> {
        widths
            .iter()
            .zip(cells)
            .map(|(w, cell)| wrap(cell, size, w - 2.0 * CELL_PAD))
            .collect()
    }

    fn draw_row(&mut self, widths: &[f32], cells: &[Vec<String>], size: f32) {
        let height = row_height(cells, size);
        let top = self.y;
        let mut x = MARGIN;
        for (w, cell) in widths.iter().zip(cells) {
            self.rect(x, top - height, *w, height);
            for (i, line) in cell.iter().enumerate() {
                let baseline = top - CELL_PAD - size * (i as f32 + 1.0) * 1.25 + size * 0.25;
                self.text_at(x + CELL_PAD, baseline, size, line);
            }
            x += w;
        }
        self.y = top - height;
    }

    /// Boxes to sign or seal in, side by side, each with its caption above the space.
    pub fn signature_boxes(&mut self, captions: &[&str], height: f32) {
        let size = 11.0;
        self.keep(height + 10.0);
        self.y -= 10.0;
        let n = captions.len().max(1) as f32;
        let gap = 16.0;
        let w = (self.room() - gap * (n - 1.0)) / n;
        let top = self.y;
        for (i, caption) in captions.iter().enumerate() {
            let x = MARGIN + i as f32 * (w + gap);
            self.rect(x, top - height, w, height);
            self.text_at(x + 6.0, top - size - 6.0, size, caption);
            self.text_at(
                x + w - 6.0 - width("年  月  日", size),
                top - height + 8.0,
                size,
                "年  月  日",
            );
        }
        self.y = top - height;
    }

    /// The finished file; every page carries `footer` and its number.
    pub fn finish(self, footer: &str) -> Result<Vec<u8>, lopdf::Error> {
        let count = self.pages.len();
        let pages = self
            .pages
            .into_iter()
            .enumerate()
            .map(|(i, ((w, h), mut operations))| {
                let foot = format!("{footer}　第 {} 页 共 {count} 页", i + 1);
                let size = 8.0;
                operations.extend([
                    Operation::new("BT", vec![]),
                    Operation::new("Tf", vec!["F1".into(), size.into()]),
                    Operation::new(
                        "Td",
                        vec![((w - width(&foot, size)) / 2.0).into(), 25.0.into()],
                    ),
                    Operation::new("Tj", vec![ucs2(&foot)]),
                    Operation::new("ET", vec![]),
                ]);
                ((w, h), operations)
            })
            .collect();
        assemble(pages)
    }
}

/// A PDF of these pages (size in points, drawing operations), in the Chinese font as `F1`.
pub fn assemble(pages: Vec<((f32, f32), Vec<Operation>)>) -> Result<Vec<u8>, lopdf::Error> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(font());
    let count = pages.len();
    let mut kids = Vec::with_capacity(count);
    for ((w, h), operations) in pages {
        let content = Content { operations };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode()?));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), (w as i64).into(), (h as i64).into()],
        });
        kids.push(page_id.into());
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count as i64,
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_at_the_margin_and_at_every_newline() {
        assert_eq!(wrap("一二三四五", 10.0, 30.0), ["一二三", "四五"]);
        assert_eq!(wrap("ab\n\ncd", 10.0, 100.0), ["ab", "", "cd"]);
        assert_eq!(wrap("", 10.0, 100.0), [""]);
        // A character wider than the room still gets a line of its own.
        assert_eq!(wrap("一二", 10.0, 5.0), ["一", "二"]);
    }

    #[test]
    fn a_long_table_flows_onto_numbered_pages() {
        let mut w = Writer::new();
        w.title("申报表", 18.0);
        let rows: Vec<Vec<String>> = (1..=120)
            .map(|i| vec![i.to_string(), format!("企业{i}")])
            .collect();
        let columns = [
            Column {
                title: "序号",
                weight: 1.0,
            },
            Column {
                title: "企业名称",
                weight: 4.0,
            },
        ];
        w.table(&columns, &rows, 9.0);
        w.signature_boxes(&["法定代表人签字", "加盖单位公章"], 90.0);
        let pages = w.pages.len();
        assert!(pages >= 3, "{pages}");
        let bytes = w.finish("测试").unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        assert_eq!(doc.get_pages().len(), pages);
    }
}
