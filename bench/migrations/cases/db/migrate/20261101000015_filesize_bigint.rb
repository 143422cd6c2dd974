class M < ActiveRecord::Migration[7.1]
  def up
    change_column :attachments, :filesize, :bigint
  end
end
