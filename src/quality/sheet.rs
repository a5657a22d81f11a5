//! Contact sheets: rows of labelled tiles, labels in the built-in 5×7 font.

use super::font::{GLYPH_HEIGHT, draw_text, text_width};
use super::image::Image;

/// One tile: an image and the lines of text printed under it.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The image (any number of channels; drawn as RGB).
    pub image: Image,
    /// Caption lines (each clipped to the tile's width).
    pub caption: Vec<String>,
}

/// One row of the sheet: a title printed above it, then its tiles left to right.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row's title.
    pub title: String,
    /// The tiles.
    pub tiles: Vec<Tile>,
}

const GAP: usize = 6;
const LINE: usize = GLYPH_HEIGHT + 3;

/// Lays out `rows` on a white RGB sheet: each row's title, then its tiles separated by a gap,
/// each with its caption below.
pub fn contact_sheet(title: &str, rows: &[Row]) -> Image {
    let captions = rows
        .iter()
        .flat_map(|r| r.tiles.iter().map(|t| t.caption.len()))
        .max()
        .unwrap_or(0);
    let row_width = |r: &Row| -> usize { r.tiles.iter().map(|t| t.image.width + GAP).sum() };
    let row_height = |r: &Row| -> usize {
        LINE + r.tiles.iter().map(|t| t.image.height).max().unwrap_or(0) + captions * LINE + GAP
    };
    let width = GAP
        + rows
            .iter()
            .map(row_width)
            .max()
            .unwrap_or(0)
            .max(text_width(title, 2) + GAP);
    let height = GAP + 2 * LINE + rows.iter().map(row_height).sum::<usize>();
    let mut sheet = Image::filled(width, height, 3, 255.0);
    draw_text(&mut sheet, GAP, GAP, title, 2, &[0.0]);
    let mut y = GAP + 2 * LINE;
    for row in rows {
        draw_text(&mut sheet, GAP, y, &row.title, 1, &[0.0, 0.0, 160.0]);
        let ty = y + LINE;
        let mut x = GAP;
        let tile_h = row.tiles.iter().map(|t| t.image.height).max().unwrap_or(0);
        for tile in &row.tiles {
            sheet.paste(&tile.image.quantized(), x, ty);
            let max_chars = tile.image.width / super::font::ADVANCE;
            for (i, line) in tile.caption.iter().enumerate() {
                let text: String = line.chars().take(max_chars).collect();
                draw_text(&mut sheet, x, ty + tile_h + 2 + i * LINE, &text, 1, &[0.0]);
            }
            x += tile.image.width + GAP;
        }
        y += row_height(row);
    }
    sheet
}
