class M < ActiveRecord::Migration[7.1]
  def change
    reversible do |dir|
      dir.up { add_column :users, :nickname, :string }
      dir.down { remove_column :users, :nickname }
    end
  end
end
