//! The usage aggregation core: rows of (app, user, session, time) into daily sessions and
//! distinct users and monthly user masks, without the CSV reading or the store around it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use worth_core::pseudonym::SecretKey;
use worth_ingest::pseudonyms::Pseudonyms;
use worth_ingest::usage::UsageAggregator;

/// Deterministic rows: 500 apps, 20,000 users, 92 days, GUID-like ids.
fn rows(n: usize) -> Vec<(String, String, String, String)> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        // xorshift64*: enough spread for ids, and the same rows on every run.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let guid = |x: u64, y: u64| {
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            x >> 32,
            (x >> 16) & 0xffff,
            x & 0xfff,
            y & 0xfff,
            y >> 16 & 0xffff_ffff_ffff
        )
    };
    (0..n)
        .map(|_| {
            let app = next() % 500;
            let user = next() % 20_000;
            let day = next() % 92;
            let month = 7 + day / 31;
            let dom = day % 31 + 1;
            let dom = if month == 9 { dom.min(30) } else { dom };
            (
                guid(app, app * 7 + 1),
                guid(user + 1_000_000, user),
                guid(next(), next()),
                format!("2024-{month:02}-{dom:02}T{:02}:{:02}:00Z", next() % 24, next() % 60),
            )
        })
        .collect()
}

fn aggregate(c: &mut Criterion) {
    let rows = rows(200_000);
    let key = SecretKey::from_bytes([7; 32]);
    let mut group = c.benchmark_group("usage");
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.sample_size(10);
    group.bench_function("aggregate 200k rows", |b| {
        b.iter(|| {
            let mut agg = UsageAggregator::new(Pseudonyms::new(key.clone()));
            for (app, user, session, time) in &rows {
                agg.add(app.as_bytes(), user.as_bytes(), session.as_bytes(), time.as_bytes())
                    .unwrap();
            }
            agg.finish()
        });
    });
    group.finish();
}

criterion_group!(benches, aggregate);
criterion_main!(benches);
