class M < ActiveRecord::Migration[7.1]
  def change
    safety_assured { remove_column :users, :legacy, :string }
  end
end
