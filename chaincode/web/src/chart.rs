//! Charts as SVG text: the market's supply and demand step curves with the clearing point, and a day of metered
//! import and export per interval. Pure functions of their data; every text inside is escaped.

use crate::html::{escape, grouped};
use crate::model::{Clearing, IntervalTotals, Order, OrderStatus, Side};

/// Drawing area, in SVG user units (the CSS scales it to the screen).
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 320.0;
pub(crate) const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
pub(crate) const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
pub(crate) const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
pub(crate) const PLOT_H: f64 = HEIGHT - TOP - BOTTOM;
/// Colours, as attributes so an SVG saved from a page still draws the same.
pub(crate) const BUY_COLOR: &str = "#26a";
const SELL_COLOR: &str = "#c62";
pub(crate) const EXPORT_COLOR: &str = "#4a4";

pub(crate) fn open(title: &str) -> String {
    format!(
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\">\
<title>{t}</title><line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"#888\"/>\
<line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#888\"/>",
        t = escape(title),
        b = TOP + PLOT_H,
        r = LEFT + PLOT_W,
    )
}

/// The orders in auction priority: bids by limit descending, asks by limit ascending, ties by time then id
/// (the trade contract's rule), open orders only.
pub fn priority(orders: &[Order], side: Side) -> Vec<&Order> {
    let mut book: Vec<&Order> = orders.iter().filter(|o| o.side == side && o.status == OrderStatus::Open).collect();
    book.sort_by(|a, b| {
        let by_limit = match side {
            Side::Buy => b.limit_per_kwh.cmp(&a.limit_per_kwh),
            Side::Sell => a.limit_per_kwh.cmp(&b.limit_per_kwh),
        };
        by_limit.then(a.placed_at.cmp(&b.placed_at)).then(a.id.cmp(&b.id))
    });
    book
}

/// The scale's top: `max` plus a tenth, at least 1.
pub(crate) fn headroom(max: i64) -> i64 {
    max.max(0).saturating_add(max.max(0) / 10).max(1)
}

/// Supply (asks) and demand (bids) as step curves, one step per open order, each step an SVG `polyline` of class
/// `step buy` or `step sell`; the clearing price and volume as dashed lines meeting at a marked point.
pub fn market_curves(orders: &[Order], clearing: Option<&Clearing>) -> String {
    let bids = priority(orders, Side::Buy);
    let asks = priority(orders, Side::Sell);
    let total = |book: &[&Order]| book.iter().map(|o| o.wh.max(0)).fold(0i64, i64::saturating_add);
    let volume = clearing.map_or(0, |c| c.volume_wh);
    let x_max = total(&bids).max(total(&asks)).max(volume).max(1);
    let top_limit = bids.iter().chain(&asks).map(|o| o.limit_per_kwh).max().unwrap_or(0);
    let y_max = headroom(top_limit.max(clearing.and_then(|c| c.price_per_kwh).unwrap_or(0)));
    let x = |wh: i64| LEFT + wh as f64 * PLOT_W / x_max as f64;
    let y = |price: i64| TOP + PLOT_H - price as f64 * PLOT_H / y_max as f64;

    let mut svg = open("Supply and demand curves");
    for (book, side) in [(&bids, Side::Buy), (&asks, Side::Sell)] {
        let mut done = 0i64;
        let mut previous: Option<i64> = None;
        for order in book.iter() {
            let start = done;
            done = done.saturating_add(order.wh.max(0));
            let rise_from = previous.unwrap_or(order.limit_per_kwh);
            previous = Some(order.limit_per_kwh);
            svg.push_str(&format!(
                "<polyline class=\"step {s}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{x0:.1},{y0:.1} {x0:.1},{y1:.1} {x1:.1},{y1:.1}\">\
<title>{s} {wh} Wh at {p} per kWh, {party}</title></polyline>",
                s = side.as_str(),
                color = match side {
                    Side::Buy => BUY_COLOR,
                    Side::Sell => SELL_COLOR,
                },
                x0 = x(start),
                y0 = y(rise_from),
                y1 = y(order.limit_per_kwh),
                x1 = x(done),
                wh = grouped(order.wh),
                p = order.limit_per_kwh,
                party = escape(&order.party.account()),
            ));
        }
    }
    match clearing.and_then(|c| c.price_per_kwh.map(|p| (p, c.volume_wh))) {
        Some((price, volume)) => {
            let (cx, cy) = (x(volume), y(price));
            svg.push_str(&format!(
                "<line class=\"clear\" stroke=\"#000\" stroke-dasharray=\"4 3\" x1=\"{LEFT}\" y1=\"{cy:.1}\" x2=\"{cx:.1}\" y2=\"{cy:.1}\"/>\
<line class=\"clear\" stroke=\"#000\" stroke-dasharray=\"4 3\" x1=\"{cx:.1}\" y1=\"{cy:.1}\" x2=\"{cx:.1}\" y2=\"{b}\"/>\
<circle id=\"clearing\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"5\" fill=\"#000\"/>\
<text x=\"{tx:.1}\" y=\"{ty:.1}\">clearing: {price} per kWh, {v} Wh</text>",
                b = TOP + PLOT_H,
                tx = (cx + 8.0).min(WIDTH - 200.0),
                ty = (cy - 8.0).max(TOP + 10.0),
                v = grouped(volume),
            ));
        }
        None if clearing.is_some() => svg.push_str(&format!(
            "<text x=\"{tx}\" y=\"{ty}\">cleared: nothing traded</text>",
            tx = LEFT + 8.0,
            ty = TOP + 12.0
        )),
        None => {}
    }
    if bids.is_empty() && asks.is_empty() {
        svg.push_str(&format!("<text x=\"{tx}\" y=\"{ty}\">no open orders</text>", tx = LEFT + 8.0, ty = TOP + 28.0));
    }
    svg.push_str(&format!(
        "<text x=\"{r}\" y=\"{y1}\" text-anchor=\"end\" fill=\"{BUY_COLOR}\">demand (bids)</text>\
<text x=\"{r}\" y=\"{y2}\" text-anchor=\"end\" fill=\"{SELL_COLOR}\">supply (asks)</text>",
        r = LEFT + PLOT_W,
        y1 = TOP + PLOT_H - 30.0,
        y2 = TOP + PLOT_H - 16.0,
    ));
    svg.push_str(&axis_labels(&grouped(x_max), "Wh", &y_max.to_string(), "per kWh"));
    svg.push_str("</svg>");
    svg
}

fn axis_labels(x_max: &str, x_unit: &str, y_max: &str, y_unit: &str) -> String {
    format!(
        "<text x=\"{LEFT}\" y=\"{yb}\" text-anchor=\"middle\">0</text>\
<text x=\"{xr}\" y=\"{yb}\" text-anchor=\"end\">{x_max} {x_unit}</text>\
<text x=\"{xl}\" y=\"{yt}\" text-anchor=\"end\">{y_max}</text><text x=\"{xl}\" y=\"{yu}\" text-anchor=\"end\">{y_unit}</text>",
        yb = TOP + PLOT_H + 16.0,
        xr = LEFT + PLOT_W,
        xl = LEFT - 4.0,
        yt = TOP + 10.0,
        yu = TOP + 24.0,
    )
}

/// A day of metering: per interval a bar of import above the middle line and of export below it (`rect`s of class
/// `import` and `export`, none for zero). `day_start` is the day's first second, `interval_seconds` the slot width.
pub fn metering_day(day_start: i64, interval_seconds: u32, totals: &[IntervalTotals]) -> String {
    let slots = (86_400 / i64::from(interval_seconds.max(60))).max(1);
    let y_max = headroom(totals.iter().map(|t| t.import_wh.max(t.export_wh)).max().unwrap_or(0));
    let half = PLOT_H / 2.0;
    let mid = TOP + half;
    let slot_w = PLOT_W / slots as f64;
    let mut svg = open("Import and export per interval");
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{mid}\" x2=\"{r}\" y2=\"{mid}\" stroke=\"#888\"/>",
        r = LEFT + PLOT_W
    ));
    for t in totals {
        let slot = (t.interval_start - day_start) / i64::from(interval_seconds.max(60));
        if !(0..slots).contains(&slot) {
            continue;
        }
        let x = LEFT + slot as f64 * slot_w;
        let w = (slot_w * 0.8).max(0.5);
        for (class, color, wh, up) in
            [("import", BUY_COLOR, t.import_wh, true), ("export", EXPORT_COLOR, t.export_wh, false)]
        {
            if wh <= 0 {
                continue;
            }
            let h = wh as f64 * half / y_max as f64;
            svg.push_str(&format!(
                "<rect class=\"{class}\" fill=\"{color}\" x=\"{x:.1}\" y=\"{top:.1}\" width=\"{w:.1}\" height=\"{h:.1}\">\
<title>{class} {wh} Wh from {at}</title></rect>",
                top = if up { mid - h } else { mid },
                wh = grouped(wh),
                at = crate::html::utc(t.interval_start),
            ));
        }
    }
    for hour in [0, 6, 12, 18, 24] {
        svg.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y}\" text-anchor=\"middle\">{hour:02}:00</text>",
            x = LEFT + f64::from(hour) * PLOT_W / 24.0,
            y = TOP + PLOT_H + 16.0,
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{xl}\" y=\"{yt}\" text-anchor=\"end\">{m}</text><text x=\"{xl}\" y=\"{mid}\" text-anchor=\"end\">0</text>\
<text x=\"{xl}\" y=\"{yb}\" text-anchor=\"end\">{m}</text><text x=\"{xr}\" y=\"{yi}\" text-anchor=\"end\" fill=\"{BUY_COLOR}\">import Wh</text>\
<text x=\"{xr}\" y=\"{ye}\" text-anchor=\"end\" fill=\"{EXPORT_COLOR}\">export Wh</text></svg>",
        xr = LEFT + PLOT_W,
        xl = LEFT - 4.0,
        yt = TOP + 10.0,
        yb = TOP + PLOT_H,
        yi = TOP + 24.0,
        ye = TOP + PLOT_H - 14.0,
        m = grouped(y_max),
    ));
    svg
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Fill, Party, Timestamp};

    pub(crate) fn order(id: &str, side: Side, wh: i64, limit: i64, placed: i64) -> Order {
        Order {
            id: id.into(),
            side,
            wh,
            limit_per_kwh: limit,
            party: Party { msp: "OrgMSP".into(), id: format!("{id}-party") },
            placed_at: Timestamp { seconds: placed, nanos: 0 },
            status: OrderStatus::Open,
        }
    }

    /// The trade README's worked example: price 22, volume 4500 Wh.
    pub(crate) fn worked_example() -> (Vec<Order>, Clearing) {
        let orders = vec![
            order("a3", Side::Sell, 4000, 28, 2),
            order("b1", Side::Buy, 3000, 30, 0),
            order("b3", Side::Buy, 1000, 10, 2),
            order("a1", Side::Sell, 2500, 12, 0),
            order("b2", Side::Buy, 2000, 25, 1),
            order("a2", Side::Sell, 2000, 20, 1),
        ];
        let fill = |id: &str, side, wh| Fill {
            order_id: id.into(),
            party: Party { msp: "OrgMSP".into(), id: format!("{id}-party") },
            side,
            wh,
        };
        let fills = vec![fill("b1", Side::Buy, 3000), fill("b2", Side::Buy, 1500), fill("a1", Side::Sell, 2500)];
        (orders, Clearing { interval_start: 1_767_225_600, price_per_kwh: Some(22), volume_wh: 4500, fills })
    }

    /// The `points` of each step of `side`, in drawing order.
    fn steps(svg: &str, side: &str) -> Vec<String> {
        let color = if side == "buy" { BUY_COLOR } else { SELL_COLOR };
        let marker =
            format!("<polyline class=\"step {side}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
        svg.split(&marker).skip(1).filter_map(|rest| rest.split('"').next().map(str::to_string)).collect()
    }

    #[test]
    fn one_step_per_open_order_in_priority_order_and_the_clearing_point() {
        let (mut orders, clearing) = worked_example();
        orders.push(Order { status: OrderStatus::Cancelled, ..order("b9", Side::Buy, 9000, 99, 0) });
        let svg = market_curves(&orders, Some(&clearing));
        assert_eq!(svg.matches("class=\"step ").count(), 6, "{svg}");
        // x: 8500 Wh (the asks; the cancelled bid is not drawn) over 520 units from 64; y: 33 (30 + a tenth) over
        // 264 units, from 280 up.
        let bids = steps(&svg, "buy");
        assert_eq!(
            bids,
            [
                "64.0,40.0 64.0,40.0 247.5,40.0",
                "247.5,40.0 247.5,80.0 369.9,80.0",
                "369.9,80.0 369.9,200.0 431.1,200.0"
            ]
        );
        let asks = steps(&svg, "sell");
        assert_eq!(asks[0], "64.0,184.0 64.0,184.0 216.9,184.0");
        assert_eq!(asks[2], "339.3,120.0 339.3,56.0 584.0,56.0");
        // Price 22 at y = 280 - 22 * 8 = 104; volume 4500 Wh at x = 64 + 275.3.
        assert!(svg.contains("<circle id=\"clearing\" cx=\"339.3\" cy=\"104.0\""), "{svg}");
        assert!(svg.contains("clearing: 22 per kWh, 4\u{202f}500 Wh"));
        assert!(!svg.contains("no open orders"));
    }

    #[test]
    fn nothing_traded_and_empty_books_say_so() {
        let (orders, mut clearing) = worked_example();
        clearing.price_per_kwh = None;
        clearing.volume_wh = 0;
        let svg = market_curves(&orders, Some(&clearing));
        assert!(svg.contains("cleared: nothing traded") && !svg.contains("id=\"clearing\""));
        let empty = market_curves(&[], None);
        assert!(empty.contains("no open orders") && !empty.contains("class=\"step"));
    }

    #[test]
    fn hostile_parties_stay_text_in_the_chart() {
        let mut o = order("x", Side::Sell, 1, 1, 0);
        o.party.id = "</title><script>alert(1)</script>".into();
        let svg = market_curves(&[o], None);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn metering_bars_sit_in_their_slots() {
        let day = 1_767_225_600;
        let totals = vec![
            IntervalTotals { interval_start: day, import_wh: 1000, export_wh: 0, readings: 1 },
            IntervalTotals { interval_start: day + 12 * 3600, import_wh: 0, export_wh: 2000, readings: 1 },
            IntervalTotals { interval_start: day + 86_400, import_wh: 5, export_wh: 5, readings: 1 },
        ];
        let svg = metering_day(day, 900, &totals);
        assert_eq!(svg.matches("<rect class=\"import\"").count(), 1, "{svg}");
        assert_eq!(svg.matches("<rect class=\"export\"").count(), 1);
        // 96 slots over 520 units: slot 48 starts at 64 + 260; y scale 2200 over 132 units each way from 148.
        assert!(
            svg.contains("<rect class=\"export\" fill=\"#4a4\" x=\"324.0\" y=\"148.0\" width=\"4.3\" height=\"120.0\""),
            "{svg}"
        );
        assert!(
            svg.contains("<rect class=\"import\" fill=\"#26a\" x=\"64.0\" y=\"88.0\" width=\"4.3\" height=\"60.0\""),
            "{svg}"
        );
    }
}
