import { sql, type Kysely } from 'kysely'

/**
 * How many public reports lie in each 100-metre square of the National Grid, by service, ward and
 * whether they are open, kept by a trigger as reports come and change. A crowded map view is drawn
 * as clusters from these few thousand rows instead of from the tens of thousands of reports in it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_map_cells')
    .addColumn('cell_x', 'integer', (column) => column.notNull())
    .addColumn('cell_y', 'integer', (column) => column.notNull())
    .addColumn('service_code', 'text', (column) => column.notNull())
    .addColumn('ward_code', 'text', (column) => column.notNull())
    .addColumn('is_open', 'boolean', (column) => column.notNull())
    .addColumn('reports', 'integer', (column) => column.notNull())
    .addColumn('latitude_sum', 'double precision', (column) => column.notNull())
    .addColumn('longitude_sum', 'double precision', (column) => column.notNull())
    .addPrimaryKeyConstraint('report_map_cells_pkey', ['cell_x', 'cell_y', 'service_code', 'ward_code', 'is_open'])
    .execute()

  await sql`
    create function report_map_cell_change(report requests, sign integer) returns void language plpgsql as $$
    begin
      if not report.is_public or report.location is null or report.duplicate_of is not null then
        return;
      end if;
      insert into report_map_cells as cell (cell_x, cell_y, service_code, ward_code, is_open, reports, latitude_sum, longitude_sum)
      values (floor(report.easting / 100)::integer, floor(report.northing / 100)::integer, report.service_code,
              coalesce(report.ward_code, ''), report.status not in ('completed', 'cancelled', 'closed'),
              sign, sign * report.latitude, sign * report.longitude)
      on conflict (cell_x, cell_y, service_code, ward_code, is_open) do update
        set reports = cell.reports + excluded.reports,
            latitude_sum = cell.latitude_sum + excluded.latitude_sum,
            longitude_sum = cell.longitude_sum + excluded.longitude_sum;
    end
    $$
  `.execute(db)
  await sql`
    create function report_map_cells_follow() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then perform report_map_cell_change(old, -1); end if;
      if tg_op in ('INSERT', 'UPDATE') then perform report_map_cell_change(new, 1); end if;
      return null;
    end
    $$
  `.execute(db)
  // Only the columns that decide a report's cell; the many other updates to a request pass by.
  await sql`
    create trigger report_map_cells_follow
    after insert or delete or update of is_public, location, easting, northing, latitude, longitude, service_code, ward_code, status, duplicate_of on requests
    for each row execute function report_map_cells_follow()
  `.execute(db)
  await sql`
    insert into report_map_cells (cell_x, cell_y, service_code, ward_code, is_open, reports, latitude_sum, longitude_sum)
    select floor(easting / 100)::integer, floor(northing / 100)::integer, service_code, coalesce(ward_code, ''),
           status not in ('completed', 'cancelled', 'closed'), count(*), sum(latitude), sum(longitude)
    from requests where is_public and location is not null and duplicate_of is null
    group by 1, 2, 3, 4, 5
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger report_map_cells_follow on requests`.execute(db)
  await sql`drop function report_map_cells_follow()`.execute(db)
  await sql`drop function report_map_cell_change(requests, integer)`.execute(db)
  await db.schema.dropTable('report_map_cells').execute()
}
