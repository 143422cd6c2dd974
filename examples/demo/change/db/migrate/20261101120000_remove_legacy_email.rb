class RemoveLegacyEmail < ActiveRecord::Migration[7.1]
  def change
    remove_column :users, :legacy_email, :string
  end
end
