class M < ActiveRecord::Migration[7.1]
  def change
    validate_foreign_key :orders, :users
  end
end
