class M < ActiveRecord::Migration[7.1]
  def up
    change_column :users, :bio, :text
  end
end
