-- Chargeback: the price list, pay-as-you-go meters, the platform team's own cost, allocation
-- rules, and the runs with their statement lines. Months are the ISO text of their first day,
-- money a decimal string with its currency, as in 0001.

-- The list price of a SKU from a month on; a later row of the same SKU replaces it from its
-- own month, so that past periods keep the prices they had.
CREATE TABLE price_list (
    id          INTEGER PRIMARY KEY,
    sku         TEXT NOT NULL,
    sku_key     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    amount      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    source      TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (sku_key, valid_from)
);

-- Metered quantities of a month (active user-apps, flow runs, GB above the entitlement),
-- priced from the price list, for a business unit or an environment when known.
CREATE TABLE payg_meters (
    id            INTEGER PRIMARY KEY,
    month         TEXT NOT NULL,
    meter         TEXT NOT NULL,
    meter_key     TEXT NOT NULL,
    business_unit TEXT NOT NULL DEFAULT '',
    environment   TEXT NOT NULL DEFAULT '',
    quantity      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (month, meter_key, business_unit, environment)
);

-- The platform team's own cost of a month, item by item.
CREATE TABLE platform_costs (
    id          INTEGER PRIMARY KEY,
    month       TEXT NOT NULL,
    item        TEXT NOT NULL,
    item_key    TEXT NOT NULL,
    amount      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (month, item_key)
);

-- Allocation rules, applied in the order of their position; the rule itself is JSON.
CREATE TABLE allocation_rules (
    id          INTEGER PRIMARY KEY,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    definition  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- One chargeback run of a period: the rules it used and the totals of its sources.
CREATE TABLE chargeback_runs (
    id          INTEGER PRIMARY KEY,
    period      TEXT NOT NULL,
    rules_json  TEXT NOT NULL,
    sources_json TEXT NOT NULL,
    run_at      TEXT NOT NULL,
    actor       TEXT NOT NULL
);
CREATE INDEX chargeback_runs_period ON chargeback_runs (period);

-- The statement lines of a run, in both views.
CREATE TABLE statement_lines (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES chargeback_runs (id),
    view        TEXT NOT NULL,
    target      TEXT NOT NULL,
    target_key  TEXT NOT NULL,
    pool        TEXT NOT NULL,
    rule        TEXT,
    category    TEXT NOT NULL,
    driver      TEXT,
    quantity    TEXT,
    share       TEXT,
    reason      TEXT,
    records     INTEGER NOT NULL,
    amount      TEXT NOT NULL,
    currency    TEXT NOT NULL
);
CREATE INDEX statement_lines_run ON statement_lines (run_id, target_key);
