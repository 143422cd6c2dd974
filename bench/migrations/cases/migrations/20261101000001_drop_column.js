exports.up = (knex) =>
  knex.schema.alterTable('users', (t) => {
    t.dropColumn('legacy');
  });
exports.down = (knex) =>
  knex.schema.alterTable('users', (t) => {
    t.string('legacy');
  });
