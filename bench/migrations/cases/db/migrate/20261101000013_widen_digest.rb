class M < ActiveRecord::Migration[7.1]
  def up
    change_column :attachments, :digest, :string, limit: 64, default: '', null: false
  end
end
