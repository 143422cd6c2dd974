ActiveRecord::Schema[7.1].define(version: 2026_11_01_000000) do
  create_table "attachments", force: :cascade do |t|
    t.string "digest", limit: 40, default: "", null: false
    t.integer "filesize", default: 0, null: false
  end

  create_table "users", force: :cascade do |t|
    t.string "bio"
  end
end
