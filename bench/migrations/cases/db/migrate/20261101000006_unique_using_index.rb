class M < ActiveRecord::Migration[7.1]
  def change
    add_unique_constraint :users, using_index: "index_users_on_email"
  end
end
